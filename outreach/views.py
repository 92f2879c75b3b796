"""Outreach pages: "My tasks", logging a contact (from a task or the enterprise page),
closing and reassigning tasks. Thin: parse, call a selector or a service, render.

Scope as in the registry: a task or enterprise outside a grid worker's grids is a 404.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from outreach import services
from outreach.context_processors import task_badge_of
from outreach.forms import ContactAttemptForm, TaskCloseForm, TaskReassignForm, kind_choices
from outreach.matters.selectors import my_open_matters
from outreach.models import ContactAttempt, Task
from outreach.selectors import (
    TaskFilters,
    bulk_assignees,
    can_assign_tasks,
    can_work_tasks,
    my_tasks,
    visible_tasks,
)
from outreach.selfservice.selectors import reported_successors
from outreach.services.plan import policy_for
from registry import clock
from registry.access import require
from registry.roles import Role, user_role
from registry.selectors import enterprise_detail

SECTION_TITLES = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Today"),
    "week": gettext_lazy("Rest of this week"),
    "later": gettext_lazy("Later"),
}


def _task(request, pk) -> Task:
    return get_object_or_404(
        visible_tasks(request.user).select_related("enterprise", "enterprise__grid"), pk=pk
    )


def _assignee_options(request) -> list[tuple[str, str]]:
    if can_assign_tasks(request.user):
        workers = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.GRID_WORKER)
            .order_by("username")
        )
        return [
            ("", _("Everyone")),
            ("me", _("Mine")),
            ("pool", _("Service staff pool")),
            *[(str(w.pk), w.get_full_name() or w.username) for w in workers],
        ]
    return [("me", _("Mine")), ("", _("Everyone in my grid areas"))]


@require_GET
def task_list_page(request):
    require(user_role(request.user) is not None)
    options = _assignee_options(request)
    # Whoever works tasks opens on their own (staff choose "Everyone" for the park's);
    # auditors, who hold none, on every task they may read.
    default = "me" if can_work_tasks(request.user) else ""
    assignee = request.GET.get("assignee", default)
    if assignee not in {value for value, _label in options}:
        assignee = default
    kinds = kind_choices()
    kind = request.GET.get("kind", "")
    if kind not in {value for value, _label in kinds}:
        kind = ""
    filters = TaskFilters(assignee=assignee, kind=kind)
    today = clock.today()
    sections = my_tasks(user=request.user, filters=filters, today=today)
    shown = [task for section in sections for task in section.rows]
    handovers = reported_successors(
        {task.enterprise_id for task in shown if task.kind == Task.Kind.HANDOVER}
    )
    for task in shown:
        task.successor = handovers.get(task.enterprise_id) if task.is_open else None
    can_assign = can_assign_tasks(request.user)
    return render(
        request,
        "outreach/tasks.html",
        {
            "sections": [(SECTION_TITLES[s.key], s) for s in sections],
            "filters": filters,
            "assignee_options": options,
            "kinds": kinds,
            "today": today,
            "can_work": can_work_tasks(request.user),
            "can_assign": can_assign,
            "close_form": TaskCloseForm(),
            # The user's own counts (the navigation badge's query, once per request).
            "counts": task_badge_of(request).counts,
            "bulk_assignees": bulk_assignees() if can_assign else [],
            # The first-contact desk's open matters of this user, in the same list.
            "my_matters": my_open_matters(user=request.user),
        },
    )


def _attempt_page(request, *, enterprise, task: Task | None, success_url: str):
    channel = request.GET.get("channel", "")
    if channel not in ContactAttempt.Channel.values:
        channel = task.suggested_channel if task else ""
    form = ContactAttemptForm(
        request.POST or None,
        request.FILES or None,
        enterprise=enterprise,
        assignees=services.eligible_assignees(enterprise),
        user=request.user,
        channel=channel,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attempt = {
            "enterprise": enterprise,
            "outcome": data["outcome"],
            "by": request.user,
            "liaison": data["liaison"],
            "note": data["note"],
            "occurred_at": data["occurred_at"],
            "verified": data["verified"],
        }
        try:
            if data["channel"] == ContactAttempt.Channel.VISIT:
                # 走访打卡: the visit with its photo and (with consent) location.
                services.visit_record(
                    **attempt,
                    follow_up=form.follow_up(),
                    photo=data.get("photo"),
                    location=form.location(),
                )
            else:
                services.contact_attempt_record(
                    **attempt, channel=data["channel"], follow_up=form.follow_up()
                )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Contact logged."))
            if form.follow_up() is not None:
                messages.success(request, _("Follow-up task created."))
            if task is not None:
                task.refresh_from_db()
                if task.is_open:
                    messages.info(
                        request,
                        _("The task stays open: try again, or close it with a note."),
                    )
                else:
                    messages.success(request, _("The task is done."))
            return redirect(success_url)
    return render(
        request,
        "outreach/attempt_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "task": task,
            "policy": policy_for(enterprise.tier),
            "cancel_url": success_url,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def attempt_new(request, uscc):
    require(can_work_tasks(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    return _attempt_page(
        request,
        enterprise=enterprise,
        task=None,
        success_url=reverse("registry:enterprise", args=[enterprise.uscc]),
    )


@require_http_methods(["GET", "POST"])
def task_attempt(request, pk):
    require(can_work_tasks(request.user))
    task = _task(request, pk)
    if not task.is_open:
        messages.info(request, _("This task is already closed."))
        return redirect("outreach:tasks")
    return _attempt_page(
        request, enterprise=task.enterprise, task=task, success_url=reverse("outreach:tasks")
    )


@require_POST
def task_close(request, pk):
    require(can_work_tasks(request.user))
    task = _task(request, pk)
    form = TaskCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])))
        return redirect("outreach:tasks")
    try:
        services.task_close(task=task, by=request.user, note=form.cleaned_data["note"])
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The task is done."))
    return redirect("outreach:tasks")


@require_http_methods(["GET", "POST"])
def task_reassign(request, pk):
    require(can_assign_tasks(request.user))
    task = _task(request, pk)
    form = TaskReassignForm(
        request.POST or None,
        assignees=services.eligible_assignees(task.enterprise),
        initial={"assignee": task.assignee_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_reassign(
                task=task, assignee=form.cleaned_data["assignee"], by=request.user
            )
        except ServiceError as error:
            form.add_error("assignee", error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("outreach:tasks")
    return render(
        request,
        "outreach/task_reassign.html",
        {"form": form, "task": task},
        status=400 if form.errors else 200,
    )
