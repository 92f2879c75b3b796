"""The outreach plan's statements over the whole registry (the rules and their order:
outreach.services.plan): re-plan what needs it, turn due contacts into routine tasks, choose
the light touch's links, and one worker's load per day. Each has its reference version
here, held equal by tests/outreach/test_sql.py."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from outreach import planner
from outreach.models import EnterpriseOutreach, OutreachPolicy, Task
from outreach.selfservice.models import SelfServiceLink
from outreach.sql.tasks import assignee_reference, assignee_sql, on_conflict_open
from registry import clock
from registry.models import Enterprise, Liaison
from registry.sql import Table
from registry.sql.fragments import grid_workers_cte

# pg_advisory_xact_lock key of the planner: any constant the other apps do not use.
PLAN_LOCK = 7_240_501
_DEREGISTERED = Enterprise.Status.DEREGISTERED.value

# (tier, period months, current period's start, its contact days, the next period's days)
TierPlan = tuple[str, int, datetime.date, Sequence[datetime.date], Sequence[datetime.date]]


def lock(cursor) -> None:
    """A second run waits here, then finds the first one's work done."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PLAN_LOCK])


# --- Re-plan ----------------------------------------------------------------------------


def replan(cursor, *, plans: list[TierPlan], now: datetime.datetime, time_zone: str) -> int:
    """(Re)plan the enterprises that have no plan yet, changed tier, whose tier's policy
    changed, or whose due date fell in a period that is over: each gets a day of its tier's
    current period (the next one when it was reached in this one already), the days spread
    evenly over each worker's enterprises (``planner.spread``). Returns how many.
    Reference: ``replan_reference``."""
    e, eo = Table(Enterprise, "e"), Table(EnterpriseOutreach, "eo")
    policy_rows = ", ".join(["(%s, %s, %s::date, %s::date[], %s::date[])"] * len(plans))
    cursor.execute(
        f"""
WITH {grid_workers_cte()},
policy (tier, months, current_start, current_days, next_days) AS (VALUES {policy_rows}),
stale AS (
    SELECT {e.id} AS id, p.tier, p.months,
           {assignee_sql(e.id)} AS assignee_id,
           CASE WHEN ({eo.last_success_at} AT TIME ZONE %s)::date >= p.current_start
                THEN 'next' ELSE 'current' END AS which
    FROM {e}
    JOIN policy p ON p.tier = {e.tier}
    LEFT JOIN {eo} ON {eo.enterprise} = {e.id}
    LEFT JOIN workers w ON w.gridarea_id = {e.grid}
    WHERE {e.status} <> '{_DEREGISTERED}'
      AND ({eo.enterprise} IS NULL
           OR {eo.next_due_on} IS NULL
           OR {eo.planned_tier} <> p.tier
           OR {eo.planned_months} <> p.months
           OR {eo.next_due_on} < p.current_start)
),
ranked AS (
    SELECT s.*, row_number() OVER (same ORDER BY s.id) - 1 AS rank, count(*) OVER same AS size
    FROM stale s
    WINDOW same AS (PARTITION BY s.tier, s.which, s.assignee_id)
)
INSERT INTO {eo} (
    {eo:enterprise,last_success_at,next_due_on,planned_tier,planned_months,task_created},
    {eo:updated_at})
SELECT r.id, NULL, d.days[1 + r.rank * cardinality(d.days) / r.size], r.tier, r.months, false,
       %s
FROM ranked r
JOIN policy p ON p.tier = r.tier
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.which = 'next' THEN p.next_days ELSE p.current_days END AS days
) d
ON CONFLICT ({eo:enterprise}) DO UPDATE SET
    {eo:next_due_on} = EXCLUDED.{eo:next_due_on},
    {eo:planned_tier} = EXCLUDED.{eo:planned_tier},
    {eo:planned_months} = EXCLUDED.{eo:planned_months},
    {eo:task_created} = false,
    {eo:updated_at} = %s
""",
        [*(value for plan in plans for value in plan), time_zone, now, now],
    )
    return cursor.rowcount


def replan_reference(*, plans: list[TierPlan]) -> dict[int, tuple[datetime.date, str, int]]:
    """``replan`` in Python: enterprise id -> (due day, tier, months) it would write."""
    policy = {plan[0]: plan[1:] for plan in plans}
    groups = defaultdict(list)
    for enterprise in Enterprise.objects.exclude(status=_DEREGISTERED):
        months, current, _days, _next = policy[enterprise.tier]
        plan = EnterpriseOutreach.objects.filter(pk=enterprise.pk).first()
        if not (
            plan is None
            or plan.next_due_on is None
            or plan.planned_tier != enterprise.tier
            or plan.planned_months != months
            or plan.next_due_on < current
        ):
            continue
        reached = plan is not None and plan.last_success_at is not None
        which = "current"
        if reached and clock.local(plan.last_success_at).date() >= current:
            which = "next"
        assignee = getattr(assignee_reference(enterprise), "pk", None)
        groups[enterprise.tier, which, assignee].append(enterprise.pk)
    result = {}
    for (tier, which, _assignee), ids in groups.items():
        months, _current, days, next_days = policy[tier]
        spread = planner.spread(len(ids), next_days if which == "next" else days)
        for pk, day in zip(sorted(ids), spread, strict=True):
            result[pk] = (day, tier, months)
    return result


# --- Routine tasks ----------------------------------------------------------------------


def routine_tasks_create(
    cursor, *, now: datetime.datetime, horizon: datetime.date
) -> tuple[int, int]:
    """Mark every untasked due date up to ``horizon`` as tasked and open its routine task
    (unless one is open), suggesting the tier's channel: (due, created).
    Reference: ``routine_tasks_reference``."""
    e, eo = Table(Enterprise, "e"), Table(EnterpriseOutreach, "eo")
    task, p = Table(Task), Table(OutreachPolicy, "p")
    cursor.execute(
        f"""
WITH {grid_workers_cte()},
due AS (
    UPDATE {eo}
    SET {eo:task_created} = true, {eo:updated_at} = %(now)s
    FROM {e}
    WHERE {e.id} = {eo.enterprise}
      AND NOT {eo.task_created}
      AND {eo.next_due_on} <= %(horizon)s
      AND {e.status} <> '{_DEREGISTERED}'
    RETURNING {eo.enterprise} AS enterprise_id, {eo.next_due_on} AS next_due_on,
              {eo.planned_tier} AS planned_tier, {e.grid} AS grid_id
),
created AS (
    INSERT INTO {task} (
        {task:enterprise,kind,source,status,assignee,due_on,suggested_channel,note},
        {task:created_at,close_note})
    SELECT d.enterprise_id, %(kind)s, %(source)s, %(open)s,
           {assignee_sql("d.enterprise_id")}, d.next_due_on,
           coalesce({p.routine_channel}, ''), '', %(now)s, ''
    FROM due d
    LEFT JOIN workers w ON w.gridarea_id = d.grid_id
    LEFT JOIN {p} ON {p.tier} = d.planned_tier
    {on_conflict_open(task)}
    RETURNING 1
)
SELECT (SELECT count(*) FROM due), (SELECT count(*) FROM created)
""",
        {
            "now": now,
            "horizon": horizon,
            "kind": Task.Kind.ROUTINE,
            "source": Task.Source.PLAN,
            "open": Task.Status.OPEN,
        },
    )
    return cursor.fetchone()


def routine_tasks_reference(*, horizon: datetime.date) -> dict[int, tuple]:
    """``routine_tasks_create`` through the ORM: enterprise id -> (due on, assignee id,
    channel) of each due date it marks, the task it would open being None where a routine
    task is open already."""
    channels = dict(OutreachPolicy.objects.values_list("tier", "routine_channel"))
    open_routine = set(
        Task.objects.filter(kind=Task.Kind.ROUTINE, status=Task.Status.OPEN).values_list(
            "enterprise_id", flat=True
        )
    )
    due = EnterpriseOutreach.objects.filter(task_created=False, next_due_on__lte=horizon).exclude(
        enterprise__status=_DEREGISTERED
    )
    return {
        plan.enterprise_id: None
        if plan.enterprise_id in open_routine
        else (
            plan.next_due_on,
            getattr(assignee_reference(plan.enterprise), "pk", None),
            channels.get(plan.planned_tier, ""),
        )
        for plan in due.select_related("enterprise")
    }


# --- The light touch's links ------------------------------------------------------------


def link_candidates_mark(
    cursor,
    *,
    days_ahead: dict[str, int],
    today: datetime.date,
    horizon: datetime.date,
    now: datetime.datetime,
) -> list[int]:
    """The enterprises whose liaison gets a personal link in this run, their due date
    marked as sent (``link_sent_for``): due after the task ``horizon`` and within their
    tier's ``days_ahead`` of ``today``, not yet sent for this due date, with a current
    liaison who has a mobile and no usable link. Returns their ids.
    Reference: ``link_candidates_reference``."""
    e, eo = Table(Enterprise, "e"), Table(EnterpriseOutreach, "eo")
    l, s = Table(Liaison, "l"), Table(SelfServiceLink, "s")  # noqa: E741
    policy_rows = ", ".join(["(%s, %s)"] * len(days_ahead))
    cursor.execute(
        f"""
WITH policy (tier, days_ahead) AS (VALUES {policy_rows}),
candidates AS (
    SELECT {e.id} AS id
    FROM {eo}
    JOIN policy p ON p.tier = {eo.planned_tier} AND p.days_ahead > 0
    JOIN {e} ON {e.id} = {eo.enterprise}
    JOIN {l} ON {l.enterprise} = {e.id} AND {l.ended_on} IS NULL AND {l.mobile} <> ''
    WHERE NOT {eo.task_created}
      AND {eo.next_due_on} > %s
      AND {eo.next_due_on} <= %s::date + p.days_ahead
      AND {eo.link_sent_for} IS DISTINCT FROM {eo.next_due_on}
      AND {e.status} <> '{_DEREGISTERED}'
      AND NOT EXISTS (
          SELECT 1 FROM {s}
          WHERE {s.liaison} = {l.id} AND {s.used_at} IS NULL AND {s.revoked_at} IS NULL
            AND {s.superseded_at} IS NULL AND {s.expires_at} > %s)
    ORDER BY {e.id}
    -- The enterprise before its plan row, the order contact_attempt_record takes them in.
    FOR NO KEY UPDATE OF e
),
marked AS (
    UPDATE {eo}
    SET {eo:link_sent_for} = {eo.next_due_on}, {eo:updated_at} = %s
    FROM candidates c
    WHERE {eo.enterprise} = c.id
    RETURNING {eo.enterprise} AS enterprise_id
)
SELECT coalesce(array_agg(enterprise_id), '{{}}') FROM marked
""",
        [*(v for tier_days in days_ahead.items() for v in tier_days), horizon, today, now, now],
    )
    (ids,) = cursor.fetchone()
    return ids


def link_candidates_reference(
    *,
    days_ahead: dict[str, int],
    today: datetime.date,
    horizon: datetime.date,
    now: datetime.datetime,
) -> set[int]:
    """``link_candidates_mark``'s choice in Python over the ORM's rows."""
    current = {liaison.enterprise_id: liaison for liaison in Liaison.objects.filter(ended_on=None)}
    linked = set(
        SelfServiceLink.objects.filter(
            used_at=None, revoked_at=None, superseded_at=None, expires_at__gt=now
        ).values_list("liaison_id", flat=True)
    )
    plans = EnterpriseOutreach.objects.filter(task_created=False, next_due_on__gt=horizon).exclude(
        enterprise__status=_DEREGISTERED
    )
    found = set()
    for plan in plans:
        days = days_ahead.get(plan.planned_tier, 0)
        liaison = current.get(plan.enterprise_id)
        if (
            days > 0
            and plan.next_due_on <= today + datetime.timedelta(days=days)
            and plan.link_sent_for != plan.next_due_on
            and liaison is not None
            and liaison.mobile
            and liaison.pk not in linked
        ):
            found.add(plan.enterprise_id)
    return found


# --- One worker's load ------------------------------------------------------------------


def day_load(
    cursor, *, first: datetime.date, last: datetime.date, assignee_id: int | None
) -> dict[datetime.date, int]:
    """How many untasked contacts the worker ``assignee_id`` (None: the staff pool) has
    planned on each day from ``first`` to ``last``. Reference: ``day_load_reference``."""
    e, eo = Table(Enterprise, "e"), Table(EnterpriseOutreach, "eo")
    cursor.execute(
        f"""
        WITH {grid_workers_cte()}
        SELECT {eo.next_due_on}, count(*)
        FROM {eo}
        JOIN {e} ON {e.id} = {eo.enterprise}
        LEFT JOIN workers w ON w.gridarea_id = {e.grid}
        WHERE NOT {eo.task_created} AND {eo.next_due_on} BETWEEN %s AND %s
          AND {assignee_sql(e.id)} IS NOT DISTINCT FROM %s
        GROUP BY {eo.next_due_on}
        """,
        [first, last, assignee_id],
    )
    return dict(cursor.fetchall())


def day_load_reference(
    *, first: datetime.date, last: datetime.date, assignee_id: int | None
) -> dict[datetime.date, int]:
    load: dict[datetime.date, int] = defaultdict(int)
    plans = EnterpriseOutreach.objects.filter(
        task_created=False, next_due_on__range=(first, last)
    ).select_related("enterprise")
    for plan in plans:
        if getattr(assignee_reference(plan.enterprise), "pk", None) == assignee_id:
            load[plan.next_due_on] += 1
    return dict(load)
