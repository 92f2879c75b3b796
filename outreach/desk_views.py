"""The desk's bulk actions: personal links to the liaisons of enterprises chosen on the list;
closing or reassigning the tasks ticked on "My tasks"; and a handover task's one-step
"make the successor the liaison". Thin: check the selection, call the service, say what
happened.

A selection is all or nothing: an enterprise or task outside the user's scope among the ids
(a grid worker who edited the form) refuses the whole action with a 403 and a message, and
nothing is written.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from outreach import services
from outreach.models import Task
from outreach.selectors import can_assign_tasks, can_work_tasks, visible_tasks
from outreach.selfservice.services import (
    reported_handover,
    selfservice_handover_confirm,
    selfservice_links_send_bulk,
)
from registry import clock
from registry.access import require
from registry.ids import parse_id
from registry.selection import MAX_TICKED, SelectionRefused, selection_read

BULK_TASK_ACTIONS = ("close", "reassign")


def _refused(request, message: str, back: str):
    return render(request, "403.html", {"reason": message, "back": back}, status=403)


def _list_url(request) -> str:
    """Back to the list the selection was made on (its filter, from the posted fields)."""
    query = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "e", "all", "action"):
        query.pop(name, None)
    encoded = query.urlencode()
    return reverse("registry:enterprises") + (f"?{encoded}" if encoded else "")


@require_POST
def enterprise_links_send(request):
    require(can_work_tasks(request.user))
    back = _list_url(request)
    try:
        selection = selection_read(user=request.user, query=request.POST)
    except SelectionRefused as error:
        return _refused(request, error.message, back)
    except ServiceError as error:
        return HttpResponseBadRequest(error.message)
    try:
        result = selfservice_links_send_bulk(
            enterprises=selection.enterprises(request.user), by=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(back)
    now = clock.now()
    messages.success(
        request,
        _(
            "%(queued)d personal links are in the outbox, to go out %(when)s; older links of "
            "these liaisons stop working."
        )
        % {
            "queued": result.queued,
            "when": _("at once")
            if result.send_at <= now
            else formats.date_format(clock.local(result.send_at), "Y-m-d H:i"),
        },
    )
    if result.written > result.queued:
        messages.warning(
            request,
            _("%(count)d could not be sent (no liaison or no mobile on file): see the outbox.")
            % {"count": result.written - result.queued},
        )
    if result.recent:
        messages.info(
            request,
            _("%(count)d left out: their liaison was sent a link in the last 24 hours.")
            % {"count": result.recent},
        )
    return redirect(back)


@require_POST
def tasks_bulk(request):
    """Close (with one note) or reassign the tasks ticked on "My tasks"."""
    require(can_work_tasks(request.user))
    action = request.POST.get("action")
    if action not in BULK_TASK_ACTIONS:
        return HttpResponseBadRequest(_("Choose what to do with the selected tasks."))
    if action == "reassign":
        require(can_assign_tasks(request.user))
    back = reverse("outreach:tasks")
    raw = request.POST.getlist("t")[: MAX_TICKED + 1]
    ids = {parse_id(value) for value in raw}
    if not raw or None in ids or len(ids) > MAX_TICKED:
        return HttpResponseBadRequest(_("Select at least one task."))
    tasks = visible_tasks(request.user).filter(pk__in=ids)
    if tasks.count() != len(ids):
        return _refused(
            request,
            _(
                "Some of the selected tasks are not yours to work on. Nothing was changed; "
                "reload the list and select again."
            ),
            back,
        )
    try:
        if action == "close":
            done = services.tasks_close_bulk(
                tasks=tasks, by=request.user, note=request.POST.get("note", "")
            )
            message = _("%(count)d tasks closed.") % {"count": done}
        else:
            assignee = None
            if request.POST.get("assignee"):
                assignee = (
                    get_user_model()
                    .objects.filter(pk=parse_id(request.POST["assignee"]), is_active=True)
                    .first()
                )
                if assignee is None:
                    return HttpResponseBadRequest(_("Choose whom to give the tasks to."))
            done = services.tasks_reassign_bulk(tasks=tasks, assignee=assignee, by=request.user)
            message = _("%(count)d tasks reassigned.") % {"count": done}
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect(back)


@require_POST
def task_handover_confirm(request, pk):
    """A handover task's one step: the successor the leaving liaison reported becomes the
    current liaison (selfservice_handover_confirm, which also closes the task)."""
    require(can_work_tasks(request.user))
    task = (
        visible_tasks(request.user)
        .select_related("enterprise")
        .filter(pk=pk, kind=Task.Kind.HANDOVER)
        .first()
    )
    if task is None:
        raise Http404
    reported = reported_handover(task.enterprise) if task.is_open else None
    if reported is None:
        messages.error(request, _("There is no reported handover to confirm."))
        return redirect("outreach:tasks")
    try:
        selfservice_handover_confirm(link=reported, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is now the liaison and was sent their own link.")
            % {"name": reported.successor_name},
        )
    return redirect("outreach:tasks")
