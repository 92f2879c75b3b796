"""Reads of the first-contact desk. Every one starts from ``visible_matters(user)``: a grid
worker sees the matters of their grids' enterprises, those routed to them or their
department, and the unidentified callers they took in themselves; an enterprise outside
their scope stays invisible (a 404)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Q, QuerySet, Value, When

from outreach.matters.models import (
    Department,
    Matter,
    MatterAttachment,
    MatterCategory,
    MatterStep,
    StandardAnswer,
)
from registry.access import SEE_EVERYTHING, visible_enterprises
from registry.ids import parse_id
from registry.normalize import normalize_uscc
from registry.roles import Role, user_role

LIST_ROWS = 200


def can_work_matters(user) -> bool:
    """Take in, route, answer, chase: admins, staff and grid workers; auditors read."""
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.GRID_WORKER}


def _mine(user) -> Q:
    return Q(owner=user) | Q(department__members=user) | Q(department__lead=user)


def _taken_in_unidentified(user) -> Q:
    # A caller not identified yet has no enterprise, so no grid: without this the grid worker
    # who took the call in the field lost it at once (a 404 on the page they were sent to).
    # Once linked, the enterprise's grid decides, like every other matter.
    return Q(created_by=user, enterprise__isnull=True)


def visible_matters(user) -> QuerySet[Matter]:
    role = user_role(user)
    if role in SEE_EVERYTHING:
        return Matter.objects.all()
    if role == Role.GRID_WORKER:
        scoped = Matter.objects.filter(
            Q(enterprise__in=visible_enterprises(user).values("pk"))
            | _mine(user)
            | _taken_in_unidentified(user)
        )
        # The department joins may repeat a row: select by id.
        return Matter.objects.filter(pk__in=scoped.values("pk"))
    return Matter.objects.none()


@dataclass(frozen=True)
class MatterFilters:
    state: str = "open"  # "open", "" (all), or one State
    category: int | None = None
    department: int | None = None
    owner: str = ""  # "me", "none", a user id, or ""
    enterprise: str = ""  # USCC
    number: str = ""
    overdue: bool = False


def _with_display(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    # The last nudge (outreach.sql.matter_metrics.NUDGES) is the column ``last_nudge_at``,
    # kept by the database as steps are written: a page of the list reads its own rows, not
    # every matter's steps grouped.
    return matters.select_related(
        "enterprise", "category", "category__parent", "owner", "department", "liaison"
    )


def matter_list(*, user, filters: MatterFilters) -> QuerySet[Matter]:
    matters = visible_matters(user)
    if filters.state == "open":
        matters = matters.filter(state__in=Matter.OPEN_STATES)
    elif filters.state:
        matters = matters.filter(state=filters.state)
    if filters.category is not None:
        matters = matters.filter(
            Q(category=filters.category) | Q(category__parent=filters.category)
        )
    if filters.department is not None:
        matters = matters.filter(department=filters.department)
    if filters.owner == "me":
        matters = matters.filter(owner=user)
    elif filters.owner == "none":
        matters = matters.filter(owner__isnull=True)
    elif (owner_id := parse_id(filters.owner)) is not None:
        matters = matters.filter(owner_id=owner_id)
    if filters.enterprise:
        try:
            uscc = normalize_uscc(filters.enterprise)
        except ValidationError:  # not a USCC (a cut-off link): no matter, not a 500
            matters = matters.none()
        else:
            matters = matters.filter(enterprise__uscc=uscc)
    if filters.number:
        matters = matters.filter(number__icontains=filters.number.strip())
    if filters.overdue:
        matters = matters.filter(overdue=True)
    return _with_display(matters).order_by("-received_at", "-id")


def open_matter_counts(*, user) -> dict[str, int]:
    """``{"open": n, "overdue": n}``: the matters not closed that ``user`` can see, and those
    of them flagged overdue (by the reminders' beat task, as the list's 已逾期 filter reads
    them). One aggregate query."""
    return visible_matters(user).aggregate(
        open=Count("pk", filter=Q(state__in=Matter.OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=Matter.OPEN_STATES, overdue=True)),
    )


def my_open_matters(*, user) -> list[Matter]:
    """我的待办's matters: open ones the user owns, ones routed to their department that no
    one has taken yet, and overdue or reopened ones of the departments they lead."""
    department_ids = list(
        Department.objects.filter(Q(members=user) | Q(lead=user)).values_list("pk", flat=True)
    )
    led = list(Department.objects.filter(lead=user).values_list("pk", flat=True))
    mine = Q(owner=user) | Q(owner__isnull=True, department__in=department_ids)
    mine |= Q(department__in=led, overdue=True)
    matters = visible_matters(user).filter(mine, state__in=Matter.OPEN_STATES)
    return list(_with_display(matters).order_by("resolution_due", "id")[:LIST_ROWS])


def matter_detail(*, user, pk: int) -> Matter | None:
    return (
        visible_matters(user)
        .select_related(
            "enterprise",
            "enterprise__grid",
            "category",
            "category__parent",
            "owner",
            "department",
            "department__lead",
            "liaison",
            "created_by",
        )
        .filter(pk=pk)
        .first()
    )


def matter_steps(*, matter: Matter) -> list[MatterStep]:
    return list(matter.steps.select_related("by", "to_user", "to_department").order_by("at", "id"))


def category_choices() -> list[tuple[int, str]]:
    categories = MatterCategory.objects.filter(active=True).select_related("parent")
    return [
        (c.pk, str(c))
        for c in sorted(categories, key=lambda c: (str(c.parent or ""), c.position, c.name))
    ]


def department_choices() -> list[tuple[int, str]]:
    return list(Department.objects.filter(active=True).values_list("pk", "name"))


def enterprise_matters(*, enterprise) -> list[Matter]:
    return list(
        Matter.objects.filter(enterprise=enterprise)
        .select_related("category", "owner", "department")
        .order_by("-received_at", "-id")[:50]
    )


def matter_is_due_soon(matter: Matter, now: datetime.datetime) -> bool:
    return (
        matter.is_open
        and matter.resolution_due <= now + (matter.resolution_due - matter.received_at) * 0.2
    )


def matter_attachments(*, matter: Matter) -> list[MatterAttachment]:
    return list(matter.attachments.select_related("uploaded_by").order_by("uploaded_at", "id"))


def matter_attachment(*, user, pk: int) -> MatterAttachment | None:
    """An attachment of a matter the user may see (the matter page's scope), else None."""
    return (
        MatterAttachment.objects.filter(matter__in=visible_matters(user).values("pk"), pk=pk)
        .select_related("matter")
        .first()
    )


# --- Standard answers (FAQ) ----------------------------------------------------------------

SEARCH_ROWS = 10
SEARCH_MAX = 100


def can_edit_standard_answers(user) -> bool:
    """Write, edit and retire standard answers: admins and staff (the desk's office work);
    grid workers and auditors read the library, and grid workers insert from it."""
    return user_role(user) in {Role.ADMIN, Role.STAFF}


def _words_match(answers: QuerySet[StandardAnswer], query: str) -> QuerySet[StandardAnswer]:
    # Every word typed (separated by spaces) in the title or the text; Chinese is typed
    # without spaces, so a phrase is one word.
    for word in query.replace("\x00", "").split()[:10]:
        answers = answers.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return answers


def standard_answers_search(
    *, query: str, category: MatterCategory | None = None, limit: int = SEARCH_ROWS
) -> list[StandardAnswer]:
    """The answers in use matching ``query`` (empty: none), those of the matter's category
    (or its parent's) first, then by title."""
    query = (query or "")[:SEARCH_MAX].strip()
    if not query:
        return []
    answers = _words_match(StandardAnswer.objects.filter(active=True), query)
    if category is not None:
        related = [category.pk] + ([category.parent_id] if category.parent_id else [])
        answers = answers.annotate(
            same_category=Case(When(category__in=related, then=Value(0)), default=Value(1))
        ).order_by("same_category", "title", "id")
    return list(answers.select_related("category", "category__parent")[:limit])


def standard_answer_library(*, query: str = "", retired: bool = False) -> list[StandardAnswer]:
    """The library page: every answer in use (or the retired ones), optionally searched."""
    answers = StandardAnswer.objects.filter(active=not retired)
    answers = _words_match(answers, (query or "")[:SEARCH_MAX])
    return list(
        answers.select_related("category", "category__parent", "updated_by").order_by(
            "title", "id"
        )[:LIST_ROWS]
    )


def standard_answer_active(pk: int | None) -> StandardAnswer | None:
    if pk is None:
        return None
    return StandardAnswer.objects.filter(pk=pk, active=True).first()
