"""Reads of outreach that are more than a one-line query. Every one starts from what the user
may see (registry.access.visible_enterprises): a grid worker reads only their grids."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from outreach.models import ContactAttempt, EnterpriseOutreach, Task
from registry import clock, masking
from registry.access import (
    SEE_EVERYTHING,
    can_edit_registry,
    visible_enterprises,
    visible_grid_areas,
)
from registry.ids import parse_id
from registry.models import Enterprise
from registry.roles import Role, user_role

# Each section of "My tasks" shows this many rows; the rest are counted and filterable.
SECTION_ROWS = 100


def can_work_tasks(user) -> bool:
    """Log attempts, close tasks: whoever may edit the registry (admins, staff, grid
    workers); auditors read."""
    return can_edit_registry(user)


def can_assign_tasks(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF}


def can_see_visit_evidence(user) -> bool:
    """A visit's photo and the worker's location are personal-ish evidence: for those who
    may see full phone numbers (admins, staff, grid workers in their grids), not auditors."""
    return user.is_authenticated and user.has_perm(masking.PHONE)


def visible_tasks(user) -> QuerySet[Task]:
    """The tasks of visible_enterprises(user), said so that PostgreSQL need not look each
    task's enterprise up in the visible ones: every task for those who see everything, the
    tasks of the grid worker's grids (a hashed list of a few ids) otherwise (issue 22: a
    little less SQL on 我的待办 for a worker with 3,000 open tasks)."""
    if user_role(user) in SEE_EVERYTHING:
        return Task.objects.all()
    return Task.objects.filter(enterprise__grid__in=visible_grid_areas(user).values("pk"))


def visible_attempts(user) -> QuerySet[ContactAttempt]:
    return ContactAttempt.objects.filter(enterprise__in=visible_enterprises(user).values("pk"))


@dataclass(frozen=True)
class TaskFilters:
    """What the tasks page and /api/tasks/ filter by."""

    assignee: str = ""  # "me", "pool" (nobody: the staff's pool), a user id, or "" for all
    kind: str = ""
    status: str = Task.Status.OPEN  # "" for every status
    due: str = ""  # "overdue", "today", "week" (today to Sunday), or "" for any day
    enterprise: str = ""  # USCC


def week_end(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=6 - today.weekday())


def task_list(*, user, filters: TaskFilters, today: datetime.date | None = None) -> QuerySet[Task]:
    today = today or clock.today()
    tasks = visible_tasks(user)
    if filters.assignee == "me":
        tasks = tasks.filter(assignee=user)
    elif filters.assignee == "pool":
        tasks = tasks.filter(assignee__isnull=True)
    elif (assignee_id := parse_id(filters.assignee)) is not None:
        tasks = tasks.filter(assignee_id=assignee_id)
    if filters.kind:
        tasks = tasks.filter(kind=filters.kind)
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    if filters.due == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    elif filters.due == "today":
        tasks = tasks.filter(due_on=today)
    elif filters.due == "week":
        tasks = tasks.filter(due_on__gte=today, due_on__lte=week_end(today))
    if filters.enterprise:
        tasks = tasks.filter(enterprise__uscc=filters.enterprise.strip().upper())
    return tasks.select_related(
        "enterprise", "enterprise__grid", "assignee", "closed_by", "closed_by_attempt"
    ).order_by("due_on", "id")


@dataclass
class TaskSection:
    key: str
    rows: list[Task] = field(default_factory=list)
    count: int = 0


def my_tasks(*, user, filters: TaskFilters, today: datetime.date | None = None) -> list:
    """The open tasks of "My tasks" in four sections: overdue, today, the rest of this week,
    later. Each section is one bounded query and one count, whatever the registry's size."""
    today = today or clock.today()
    base = task_list(user=user, filters=TaskFilters(**{**filters.__dict__, "due": ""}), today=today)
    base = base.filter(status=Task.Status.OPEN)
    sections = [
        ("overdue", base.filter(due_on__lt=today)),
        ("today", base.filter(due_on=today)),
        ("week", base.filter(due_on__gt=today, due_on__lte=week_end(today))),
        ("later", base.filter(due_on__gt=week_end(today))),
    ]
    result = []
    for key, tasks in sections:
        rows = list(tasks[:SECTION_ROWS])
        count = len(rows) if len(rows) < SECTION_ROWS else tasks.count()
        result.append(TaskSection(key=key, rows=rows, count=count))
    return result


def bulk_assignees() -> list:
    """Whom the tasks page's bulk "reassign" offers: every active account with a working role
    (the service checks each task's grid against a grid worker's)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.ADMIN, Role.STAFF, Role.GRID_WORKER])
        .distinct()
        .order_by("username")
    )


@dataclass(frozen=True)
class TaskCounts:
    """A user's own open tasks by when they are due (the park's dates): before today, today,
    and from today to Sunday."""

    overdue: int = 0
    today: int = 0
    week: int = 0

    @property
    def due_now(self) -> int:
        """What the navigation's badge says: overdue and due today."""
        return self.overdue + self.today


def my_task_counts(*, user, today: datetime.date) -> TaskCounts:
    """One query, whatever the number of tasks (index task_open_assignee_due_idx)."""
    if user_role(user) is None:
        return TaskCounts()
    counts = (
        visible_tasks(user)
        .filter(assignee=user, status=Task.Status.OPEN, due_on__lte=week_end(today))
        .aggregate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            today=Count("pk", filter=Q(due_on=today)),
            week=Count("pk", filter=Q(due_on__gte=today)),
        )
    )
    return TaskCounts(**counts)


@dataclass(frozen=True)
class AttemptFilters:
    enterprise: str = ""
    channel: str = ""
    outcome: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def attempt_list(*, user, filters: AttemptFilters) -> QuerySet[ContactAttempt]:
    attempts = visible_attempts(user)
    if filters.enterprise:
        attempts = attempts.filter(enterprise__uscc=filters.enterprise.strip().upper())
    if filters.channel:
        attempts = attempts.filter(channel=filters.channel)
    if filters.outcome:
        attempts = attempts.filter(outcome=filters.outcome)
    if filters.since:
        attempts = attempts.filter(occurred_at__gte=filters.since)
    if filters.until:
        attempts = attempts.filter(occurred_at__lt=filters.until)
    return attempts.select_related("enterprise", "liaison", "by").order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class EnterpriseOutreachSummary:
    plan: EnterpriseOutreach | None
    open_tasks: list[Task]
    last_attempt: ContactAttempt | None


def enterprise_outreach(*, enterprise: Enterprise) -> EnterpriseOutreachSummary:
    """What the enterprise page's outreach panel shows (the enterprise is already scoped)."""
    return EnterpriseOutreachSummary(
        plan=EnterpriseOutreach.objects.filter(enterprise=enterprise).first(),
        open_tasks=list(
            Task.objects.filter(enterprise=enterprise, status=Task.Status.OPEN)
            .select_related("assignee")
            .order_by("due_on", "id")
        ),
        last_attempt=ContactAttempt.objects.filter(enterprise=enterprise)
        .select_related("by")
        .order_by("-occurred_at", "-id")
        .first(),
    )


def enterprise_attempts(*, enterprise: Enterprise) -> QuerySet[ContactAttempt]:
    return (
        ContactAttempt.objects.filter(enterprise=enterprise)
        .select_related("by", "liaison", "evidence")
        .order_by("-occurred_at", "-id")
    )
