"""Staff's pages of events: the list, a new event, an event's edit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from outreach.events import services
from outreach.events.forms import EventForm
from outreach.events.models import Event
from outreach.events.selectors import can_edit_events, event_list, training_progress
from registry import clock
from registry.access import require
from registry.roles import user_role


@require_GET
def event_list_page(request):
    require(user_role(request.user) is not None)
    kind = request.GET.get("kind", "")
    when = request.GET.get("when", "")
    now = clock.now()
    return render(
        request,
        "outreach/events/list.html",
        {
            "rows": event_list(kind=kind, when=when, now=now),
            "kind": kind,
            "when": when,
            "kinds": Event.Kind.choices,
            "progress": training_progress(now=now),
            "can_edit": can_edit_events(request.user),
        },
    )


def _form_page(request, form, *, event=None):
    return render(
        request,
        "outreach/events/form.html",
        {"form": form, "event": event},
        status=400 if form.errors else 200,
    )


def _save(request, form, save) -> bool:
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save(**form.cleaned_data, by=request.user)
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


@require_http_methods(["GET", "POST"])
def event_new(request):
    require(can_edit_events(request.user))
    form = EventForm(request.POST or None, initial={"kind": Event.Kind.TRAINING})
    if _save(request, form, services.event_create):
        messages.success(request, _("Event saved."))
        return redirect("outreach:events:list")
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    require(can_edit_events(request.user))
    event = get_object_or_404(Event, pk=pk)
    initial = {field: getattr(event, field) for field in services.FIELDS}
    form = EventForm(request.POST or None, initial=initial)
    if _save(request, form, lambda **data: services.event_update(event=event, **data)):
        messages.success(request, _("Event saved."))
        return redirect("outreach:events:list")
    return _form_page(request, form, event=event)
