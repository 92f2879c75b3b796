"""Tasks written by SQL: one task opened against the open-task index, tasks opened for every
enterprise a query selects (the planner, the monitor's rules and lights), and tasks closed
where a condition no longer holds. At most one open task per enterprise and kind (manual
follow-ups left out): the partial unique index ``task_one_open_per_enterprise_kind``, which
every insert here names in its ``ON CONFLICT … DO NOTHING``, so two writers at once end with
one task."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from outreach.models import Task
from registry.models import Enterprise
from registry.sql import Table
from registry.sql.fragments import grid_workers_cte, grid_workers_reference

_OPEN = Task.Status.OPEN.value
_MANY_OPEN = Task.Kind.FOLLOW_UP.value
_DEREGISTERED = Enterprise.Status.DEREGISTERED.value


def assignee_sql(enterprise_id: str, workers: str = "w") -> str:
    """The grid worker of the enterprise whose id is the SQL ``enterprise_id``, from the
    row ``workers`` of ``grid_workers_cte`` (NULL: the service staff's pool): several workers
    of one grid share it evenly and the same enterprise always goes to the same person.
    Reference: ``assignee_reference``; outreach.services.tasks.assignee_for uses it."""
    return f"{workers}.ids[1 + {enterprise_id} %% cardinality({workers}.ids)]"


def assignee_reference(enterprise: Enterprise):
    """``assignee_sql`` for one enterprise: its grid's worker, or None."""
    if enterprise.grid_id is None:
        return None
    workers = list(grid_workers_reference(enterprise.grid_id))
    return workers[enterprise.pk % len(workers)] if workers else None


def on_conflict_open(task: Table) -> str:
    """The ``ON CONFLICT`` clause that names the open-task index (module docstring).
    PostgreSQL takes a partial index as the arbiter only if this WHERE implies the index's
    own predicate (Task.Meta: open, and not a follow-up); a follow-up, never limited, is
    inserted by outreach.services.follow_up_task_create without it."""
    return (
        f"ON CONFLICT ({task:enterprise,kind}) "
        f"WHERE {task:status} = '{_OPEN}' AND {task:kind} <> '{_MANY_OPEN}' DO NOTHING"
    )


def task_insert(cursor, **values) -> int | None:
    """Insert one open task (``values``: its fields, by name); its id, or None when one of
    the enterprise and kind is open already (committed: ON CONFLICT waited for it)."""
    task = Table(Task)
    names = ["status", *values]
    cursor.execute(
        f"INSERT INTO {task} ({task:{','.join(names)}}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) {on_conflict_open(task)} RETURNING {task.id}",
        [_OPEN, *values.values()],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def tasks_open_where(
    cursor,
    *,
    kind: str,
    holds: str,
    params: dict,
    note: str,
    channel: str = "",
    due_on: datetime.date,
    now: datetime.datetime,
    source: str = Task.Source.RULE,
) -> int:
    """Open a task of ``kind`` for every enterprise selected by the SQL ``holds`` (column
    ``id``, with the %(name)s ``params``) that has none open and is not deregistered: one
    INSERT … SELECT, each assigned as ``assignee_sql`` assigns, created at ``now``. Returns
    how many were opened. Reference: ``tasks_open_reference``."""
    task, e = Table(Task), Table(Enterprise, "e")
    cursor.execute(
        f"""
        WITH {grid_workers_cte()}
        INSERT INTO {task} (
            {task:enterprise,kind,source,status,assignee,due_on,suggested_channel,note},
            {task:created_at,close_note})
        SELECT {e.id}, %(kind)s, %(source)s, '{_OPEN}', {assignee_sql(e.id)},
               %(due_on)s, %(channel)s, %(note)s, %(now)s, ''
        FROM {e}
        JOIN (SELECT DISTINCT id FROM ({holds}) selected) h ON h.id = {e.id}
        LEFT JOIN workers w ON w.gridarea_id = {e.grid}
        WHERE {e.status} <> '{_DEREGISTERED}'
        {on_conflict_open(task)}
        """,
        {
            **params,
            "kind": kind,
            "source": source,
            "channel": channel,
            "note": note,
            "due_on": due_on,
            "now": now,
        },
    )
    return cursor.rowcount


def tasks_open_reference(enterprises: QuerySet[Enterprise], *, kind: str) -> dict[int, int | None]:
    """``tasks_open_where`` through the ORM: enterprise id -> assignee id of the tasks it
    would open."""
    busy = Task.objects.filter(kind=kind, status=_OPEN).values("enterprise")
    chosen = enterprises.exclude(status=_DEREGISTERED).exclude(pk__in=busy)
    return {
        enterprise.pk: getattr(assignee_reference(enterprise), "pk", None) for enterprise in chosen
    }


def tasks_close_unless(cursor, *, kind: str, holds: str, now: datetime.datetime, note: str) -> int:
    """Close the open tasks of ``kind`` whose enterprise is not in the table ``holds``
    (column ``id``); returns how many. Reference: ``tasks_close_unless_reference``."""
    t = Table(Task, "t")
    cursor.execute(
        f"""
        UPDATE {t}
        SET {t:status} = %(done)s, {t:closed_at} = %(now)s, {t:close_note} = %(note)s
        WHERE {t.kind} = %(kind)s AND {t.status} = '{_OPEN}'
          AND NOT EXISTS (SELECT 1 FROM {holds} h WHERE h.id = {t.enterprise})
        """,
        {"done": Task.Status.DONE, "now": now, "note": note, "kind": kind},
    )
    return cursor.rowcount


def tasks_close_unless_reference(*, kind: str, held: set[int]) -> set[int]:
    """The ids of the tasks ``tasks_close_unless`` would close."""
    tasks = Task.objects.filter(kind=kind, status=_OPEN).exclude(enterprise__in=held)
    return set(tasks.values_list("pk", flat=True))


def tasks_close_joined(
    cursor,
    *,
    kinds: list[str],
    source: str,
    condition: str,
    enterprise: str,
    now: datetime.datetime,
    note: str,
) -> int:
    """Close the open tasks of ``kinds`` of the enterprises (SQL ``enterprise``) of the rows
    of the FROM item ``source`` where ``condition`` holds; returns how many."""
    t = Table(Task, "t")
    cursor.execute(
        f"""
        UPDATE {t}
        SET {t:status} = %(done)s, {t:closed_at} = %(now)s, {t:close_note} = %(note)s
        FROM {source}
        WHERE {enterprise} = {t.enterprise} AND {condition}
          AND {t.status} = '{_OPEN}' AND {t.kind} = ANY(%(kinds)s)
        """,
        {"done": Task.Status.DONE, "now": now, "note": note, "kinds": kinds},
    )
    return cursor.rowcount
