"""Staff's pages of events: the list, a new event, an event's edit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from outreach.events import services
from outreach.events.door_selectors import can_read_attendance
from outreach.events.forms import EventForm
from outreach.events.models import Event
from outreach.events.selectors import (
    answer_counts,
    can_edit_events,
    event_campaigns,
    event_invitations,
    event_list,
    invitation_message_counts,
    reminder_counts,
    training_progress,
)
from outreach.sql.events import NEW_THIS_YEAR, NOTHING_ATTENDED
from registry import clock
from registry.access import require
from registry.models import Enterprise, GridArea
from registry.roles import user_role
from registry.views import enterprise_filters

# The audiences an invitation may narrow to, as the page offers them.
AUDIENCES = [
    (NEW_THIS_YEAR, _lazy("Liaisons new this year")),
    (NOTHING_ATTENDED, _lazy("Liaisons who attended nothing this year")),
]


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
            "can_read_attendance": can_read_attendance(request.user),
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


@require_http_methods(["GET", "POST"])
def event_invitations_page(request, pk):
    """Who is invited and what they answered; invite more with the enterprise list's
    filters (a link from the list carries them, as the campaign form's does)."""
    require(can_edit_events(request.user))
    event = get_object_or_404(Event, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    filters = enterprise_filters(data)
    if request.method == "POST":
        try:
            added = services.event_invite(
                event=event,
                filters=filters,
                by=request.user,
                audience=request.POST.get("audience", ""),
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)d liaison invited.", "%(count)d liaisons invited.", added)
                % {"count": added},
            )
        return redirect("outreach:events:invitations", pk=event.pk)
    return render(
        request,
        "outreach/events/event_invitations.html",
        {
            "event": event,
            "rows": event_invitations(event=event),
            "counts": answer_counts(event=event),
            "sms": invitation_message_counts(event=event),
            "reminders": reminder_counts(event=event),
            "campaigns": event_campaigns(event=event),
            "audiences": AUDIENCES,
            "filters": {key: value for key, value in vars(filters).items() if value},
            "grids": GridArea.objects.order_by("code"),
            "tiers": Enterprise.Tier.choices,
        },
    )


@require_POST
def event_invitation_sms(request, pk):
    """Prepare the invitation SMS of the event's invitees: a draft campaign, previewed,
    tested and confirmed on the campaign's own page."""
    require(can_edit_events(request.user))
    event = get_object_or_404(Event, pk=pk)
    try:
        campaign = services.event_invitation_campaign_create(event=event, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("outreach:events:invitations", pk=event.pk)
    messages.success(
        request,
        _(
            "Draft saved: nothing is sent yet. Check the preview, send yourself a test, "
            "then confirm."
        ),
    )
    return redirect("messaging:campaign", pk=campaign.pk)
