"""Tasks (待办): open, close, reassign. At most one open task per enterprise and kind, held by
the partial unique index ``task_one_open_per_enterprise_kind``; opening inserts with
``ON CONFLICT … DO NOTHING`` against it (outreach.sql.tasks), so two openers at once end with
one task.

Manual follow-ups are the exception: each point agreed with an enterprise (003/004: every
open point has an owner and a deadline) is a task of its own, however many are open.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import ServiceError
from outreach.kinds import task_kind
from outreach.models import ContactAttempt, Task
from outreach.sql.tasks import assignee_reference, task_insert
from registry import clock
from registry.models import Enterprise
from registry.roles import Role

NOTE_MAX = 2000


def assignee_for(enterprise: Enterprise):
    """The grid worker who works this enterprise, or None for the service staff's pool: its
    grid's active workers share it by its id, as the set-based writers assign
    (outreach.sql.tasks.assignee_sql)."""
    return assignee_reference(enterprise)


_OFFICE = Q(is_superuser=True) | Q(groups__name__in=[Role.ADMIN, Role.STAFF])


def eligible_assignees(enterprise: Enterprise) -> QuerySet:
    """Who may hold a task of this enterprise: service staff and admins, or a grid worker of
    its grid."""
    User = get_user_model()
    own_grid = Q(groups__name=Role.GRID_WORKER, grid_areas=enterprise.grid_id)
    return (
        User.objects.filter(is_active=True)
        .filter(_OFFICE | own_grid if enterprise.grid_id else _OFFICE)
        .distinct()
        .order_by("username")
    )


def _ineligible_grids(assignee, grid_ids: set) -> set:
    """The grids (None: no grid) among ``grid_ids`` whose tasks ``assignee`` may not hold:
    none for service staff and admins; for a grid worker, every grid not theirs (the rule of
    ``eligible_assignees``, for many enterprises in two queries)."""
    User = get_user_model()
    active = User.objects.filter(pk=assignee.pk, is_active=True)
    if active.filter(_OFFICE).exists():
        return set()
    own = set(active.filter(groups__name=Role.GRID_WORKER).values_list("grid_areas", flat=True)) - {
        None
    }
    return {grid for grid in grid_ids if grid is None or grid not in own}


def _check_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(
            _("At most %(max)d characters.") % {"max": NOTE_MAX}, field=field, code="too_long"
        )
    return note


def _check_assignee(enterprise: Enterprise, assignee) -> None:
    if assignee is not None and not eligible_assignees(enterprise).filter(pk=assignee.pk).exists():
        raise ServiceError(
            _("Tasks of this enterprise go to its grid's workers or to the service staff."),
            field="assignee",
            code="not_eligible",
        )


def task_open(
    *,
    enterprise: Enterprise,
    kind: str,
    source: str,
    due_on: datetime.date | None = None,
    assignee=None,
    note: str = "",
    by=None,
    suggested_channel: str = "",
    now: datetime.datetime | None = None,
) -> Task:
    """Open a task, or return the one of this enterprise and kind that is already open.

    Without ``assignee`` it goes to the enterprise's grid worker (None: the staff pool);
    without ``due_on`` it is due on the park's date of ``now`` (default: the one clock).
    """
    now = now or clock.now()
    if task_kind(kind) is None:
        raise ServiceError(_("Unknown kind of task."), field="kind", code="unknown_kind")
    if source not in Task.Source.values:
        raise ServiceError(_("Unknown source."), field="source", code="unknown_source")
    if suggested_channel and suggested_channel not in ContactAttempt.Channel.values:
        raise ServiceError(_("Unknown channel."), field="suggested_channel", code="invalid")
    note = _check_note(note)
    if assignee is None:
        assignee = assignee_for(enterprise)
    else:
        _check_assignee(enterprise, assignee)
    with transaction.atomic(), connection.cursor() as cursor:
        pk = task_insert(
            cursor,
            enterprise=enterprise.pk,
            kind=kind,
            source=source,
            assignee=assignee.pk if assignee else None,
            due_on=due_on or clock.today(now),
            suggested_channel=suggested_channel,
            note=note,
            created_at=now,
            created_by=by.pk if by else None,
            close_note="",
        )
        if pk is not None:
            return Task.objects.get(pk=pk)
        # Someone else's open task of this kind (committed: ON CONFLICT waited for it).
        return Task.objects.get(enterprise=enterprise, kind=kind, status=Task.Status.OPEN)


@dataclass(frozen=True)
class FollowUp:
    """A point agreed with an enterprise: what (``note``), who does it (``assignee``; None:
    the service staff's pool), by when (``due_on``, the park's date)."""

    note: str
    due_on: datetime.date | None
    assignee: object = None


def follow_up_check(
    enterprise: Enterprise, follow_up: FollowUp, *, now: datetime.datetime, field_prefix: str = ""
) -> FollowUp:
    """The follow-up's fields checked before anything is written (note stripped). ServiceError
    naming the field (``field_prefix`` + note / due_on / assignee): no note, no or a past due
    date, an owner who may not hold this enterprise's tasks."""
    note = (follow_up.note or "").replace("\x00", "").strip()
    if not note:
        raise ServiceError(_("Say what was agreed."), field=f"{field_prefix}note", code="required")
    _check_note(note, field=f"{field_prefix}note")
    if follow_up.due_on is None:
        raise ServiceError(
            _("Say by when it is due."), field=f"{field_prefix}due_on", code="required"
        )
    if follow_up.due_on < clock.today(now):
        raise ServiceError(_("This date has passed."), field=f"{field_prefix}due_on", code="past")
    try:
        _check_assignee(enterprise, follow_up.assignee)
    except ServiceError as error:
        raise ServiceError(
            error.message, field=f"{field_prefix}assignee", code="not_eligible"
        ) from error
    return FollowUp(note=note, due_on=follow_up.due_on, assignee=follow_up.assignee)


def follow_up_task_create(
    *,
    enterprise: Enterprise,
    follow_up: FollowUp,
    by,
    now: datetime.datetime | None = None,
    field_prefix: str = "",
) -> Task:
    """A follow-up task made by hand (kind ``follow_up``, source manual), closed by a person.
    Never limited to one open per enterprise (the unique index leaves this kind out).
    ServiceError as ``follow_up_check``; nothing is written then."""
    now = now or clock.now()
    follow_up = follow_up_check(enterprise, follow_up, now=now, field_prefix=field_prefix)
    return Task.objects.create(
        enterprise=enterprise,
        kind=Task.Kind.FOLLOW_UP,
        source=Task.Source.MANUAL,
        assignee=follow_up.assignee,
        due_on=follow_up.due_on,
        note=follow_up.note,
        created_by=by,
    )


def tasks_close_where(
    *, tasks: QuerySet[Task], by=None, attempt: ContactAttempt | None = None, note: str = ""
) -> int:
    """Close every open task of ``tasks`` in one UPDATE; returns how many were closed.

    For higher apps' rules too (e.g. monitoring closing re-check calls when a light turns
    green). A task someone else closed meanwhile is left as they closed it.
    """
    return tasks.filter(status=Task.Status.OPEN).update(
        status=Task.Status.DONE,
        closed_at=clock.now(),
        closed_by=by,
        closed_by_attempt=attempt,
        close_note=_check_note(note),
    )


def task_close(
    *, task: Task, by=None, attempt: ContactAttempt | None = None, note: str = ""
) -> Task:
    """Close one task (a person's decision or an attempt that answered it)."""
    closed = tasks_close_where(
        tasks=Task.objects.filter(pk=task.pk), by=by, attempt=attempt, note=note
    )
    if not closed:
        raise ServiceError(_("This task is already closed."), code="closed")
    task.refresh_from_db()
    return task


def task_reassign(*, task: Task, assignee, by=None) -> Task:
    """Give an open task to someone else (``None``: the service staff's pool)."""
    _check_assignee(task.enterprise, assignee)
    updated = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(assignee=assignee)
    if not updated:
        raise ServiceError(_("This task is already closed."), code="closed")
    task.refresh_from_db()
    return task


def _locked_open(tasks: QuerySet[Task]) -> list[tuple[int, int | None]]:
    """Lock the selected tasks (id order, so two bulk actions cannot deadlock) and return
    (id, enterprise's grid) of each; ServiceError when one of them is closed already: the
    action is all or nothing."""
    rows = list(
        tasks.select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "status", "enterprise__grid_id")
    )
    closed = sum(1 for _pk, status, _grid in rows if status != Task.Status.OPEN)
    if closed:
        raise ServiceError(
            ngettext(
                "%(count)d of the selected tasks is closed already. Nothing was changed.",
                "%(count)d of the selected tasks are closed already. Nothing was changed.",
                closed,
            )
            % {"count": closed},
            code="closed",
        )
    return [(pk, grid) for pk, _status, grid in rows]


def tasks_close_bulk(*, tasks: QuerySet[Task], by, note: str) -> int:
    """Close every task of ``tasks`` (the caller's selection, already in its scope) with one
    note, in one transaction: all of them or, when one was closed meanwhile, none."""
    note = _check_note(note)
    if not note:
        raise ServiceError(_("Say why these tasks are done."), field="note", code="required")
    with transaction.atomic():
        rows = _locked_open(tasks)
        return tasks_close_where(
            tasks=Task.objects.filter(pk__in=[pk for pk, _grid in rows]), by=by, note=note
        )


def tasks_reassign_bulk(*, tasks: QuerySet[Task], assignee, by=None) -> int:
    """Give every task of ``tasks`` to ``assignee`` (None: the staff pool), in one
    transaction: all or none. ServiceError when one is closed, or when ``assignee`` may not
    hold one of them (a grid worker, another grid's enterprise)."""
    with transaction.atomic():
        rows = _locked_open(tasks)
        if assignee is not None and _ineligible_grids(assignee, {grid for _pk, grid in rows}):
            raise ServiceError(
                _(
                    "Some of the selected tasks belong to enterprises outside this person's "
                    "grid areas. Nothing was changed."
                ),
                field="assignee",
                code="not_eligible",
            )
        return Task.objects.filter(pk__in=[pk for pk, _grid in rows]).update(assignee=assignee)
