"""The desk's metrics from sums (issue 18, at 100,000 matters): the day and month summaries
(``MatterDaySummary``, ``MatterMonthSummary``), the database triggers that keep them and
``Matter.last_nudge_at``, their rebuild, and the one grouped read of the metrics page (whole
months from the month summary, a period's partial months by day). The reference is the scan
over matters, ``outreach.matters.metrics.matter_metrics_scan``;
tests/outreach/matters/test_metrics_summary.py holds the two equal after every kind of move.

Why triggers: a matter's figures change on every door that writes it (the services' moves,
the intake, the reminders' claims, a department deleted, retention, bulk SQL) and its grid
changes when its enterprise moves grid (registry's pages and import). Statement triggers with
transition tables see every one of them, in the writer's transaction, set-based: the rows a
statement changed are taken out of the sums as they were and put back as they are
(``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``: commutative, so concurrent
writers never overwrite each other, and no day is locked). Interval sums are added and
subtracted part by part, as AVG adds them, so the averages are exact.

Keys: the day of intake in the park's time zone (``settings.TIME_ZONE``, written into the
functions when they are installed: ``summary_install``, rerun by the rebuild), the leaf
category (the read rolls it up to the top of the tree, as the scan does), the department, and
the enterprise's grid now.

The "first response due by now" count depends on the moment: the read takes the total less
the matters still unanswered whose first response is not due yet, a handful read live from
matters (partial index ``matter_unresponded_due_idx``).
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings

from outreach.matters.models import (
    Department,
    Matter,
    MatterCategory,
    MatterDaySummary,
    MatterMonthSummary,
    MatterStep,
)
from registry.models import Enterprise, GridArea
from registry.sql import Table

# The statement triggers' transition tables.
_NEW, _OLD = "new_rows", "old_rows"

# What the summary sums, in the order of its columns.
COUNTS = (
    "total",
    "responded",
    "responded_in_time",
    "answered",
    "resolved",
    "satisfied",
    "mostly",
    "dissatisfied",
)
TIMES = ("response_time", "resolution_time")

# A change to one of these moves a matter's figures; any other update (a reminder time, the
# overdue flag, the answer's text) leaves the sums alone.
_FIGURE_FIELDS = (
    "received_at",
    "category",
    "department",
    "enterprise",
    "first_response_at",
    "first_response_due",
    "answered_at",
    "resolved",
    "satisfaction",
)
# The month (its first day) of a park day.
MONTH = "date_trunc('month', {day}::timestamp)::date"
NUDGES = (MatterStep.Action.CHASE, MatterStep.Action.REMIND, MatterStep.Action.OVERDUE)


def _time_zone() -> str:
    tz = settings.TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", tz):  # written into SQL text: a name only
        raise ValueError(f"unexpected TIME_ZONE {tz!r}")
    return tz


def day_sql(received_at: str) -> str:
    """The park's day of an instant (the summary's ``day``)."""
    return f"({received_at} AT TIME ZONE '{_time_zone()}')::date"


def contributions(source: str, *, grid: str, negate: bool = False) -> str:
    """``SELECT`` one row per matter of ``source`` (a FROM clause naming the matter ``m``):
    its key (day, category, department, ``grid``) and its part of every sum; ``negate`` takes
    it out. The one statement of what each matter counts for (the scan: metrics._counts)."""
    m = Table(Matter, "m")
    sign = "-" if negate else ""
    responded = f"{m.first_response_at} IS NOT NULL"
    resolved = f"{m.answered_at} IS NOT NULL AND {m.resolved} IS TRUE"

    def count(condition: str) -> str:
        return f"{sign}({condition})::int"

    sat = Matter.Satisfaction
    return f"""
SELECT {day_sql(m.received_at)} AS day, {m.category} AS category_id,
    {m.department} AS department_id, {grid} AS grid_id,
    {sign}1 AS total,
    {count(responded)} AS responded,
    {count(f"{responded} AND {m.first_response_at} <= {m.first_response_due}")}
        AS responded_in_time,
    {count(f"{m.answered_at} IS NOT NULL")} AS answered,
    {count(resolved)} AS resolved,
    {count(f"{m.satisfaction} = '{sat.SATISFIED.value}'")} AS satisfied,
    {count(f"{m.satisfaction} = '{sat.MOSTLY.value}'")} AS mostly,
    {count(f"{m.satisfaction} = '{sat.DISSATISFIED.value}'")} AS dissatisfied,
    CASE WHEN {responded} THEN {sign}({m.first_response_at} - {m.received_at}) END
        AS response_time,
    CASE WHEN {resolved} THEN {sign}({m.answered_at} - {m.received_at}) END AS resolution_time
FROM {source}"""


def _enterprise_join(matter_alias: str = "m") -> str:
    e = Table(Enterprise, "e")
    return f"LEFT JOIN {e} ON {e.id} = {matter_alias}.{Table(Matter).enterprise}"


def _upsert(parts: list[str]) -> str:
    """Add the rows of ``parts`` (contributions) to the day and the month summaries, key by
    key in key order (two writers lock the rows they share in the same order), then drop the
    keys left empty."""
    union = "\nUNION ALL\n".join(parts)
    return "\n".join(
        _upsert_into(MatterDaySummary, "day", union, "day")
        + _upsert_into(MatterMonthSummary, "month", union, MONTH.format(day="day"))
    )


def _upsert_into(model, grain: str, union: str, grain_sql: str) -> list[str]:
    s = Table(model)
    columns = f"{s.column(grain)}, {s:category_id,department_id,grid_id}, " + ", ".join(
        s.column(c) for c in COUNTS + TIMES
    )
    sums = (
        ", ".join(f"sum({c})" for c in COUNTS)
        + ", "
        + ", ".join(f"coalesce(sum({t}), interval '0')" for t in TIMES)
    )
    updates = ", ".join(
        f"{s.column(c)} = {s.db_table}.{s.column(c)} + excluded.{s.column(c)}"
        for c in COUNTS + TIMES
    )
    key = "1, 2, 3, 4"
    return [
        f"""
INSERT INTO {s} ({columns})
SELECT {grain_sql}, category_id, department_id, grid_id, {sums} FROM ({union}) c
GROUP BY {key} ORDER BY {key}
ON CONFLICT ({s.column(grain)}, {s:category_id,department_id,grid_id}) DO UPDATE SET {updates};""",
        f"DELETE FROM {s} WHERE {s.total} = 0;",
    ]


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{body}
RETURN NULL;
END
$fn$;"""


def _trigger(
    name: str, table: str, *, event: str, level: str, extra: str = "", when: str = ""
) -> str:
    return f"""
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {event} ON {table} {extra}
FOR EACH {level} {when} EXECUTE FUNCTION {name}();"""


def summary_install_sql() -> str:
    """The functions and triggers that keep the summary and ``last_nudge_at`` (idempotent)."""
    m = Table(Matter)
    e, st = Table(Enterprise), Table(MatterStep)
    grid = f"{Table(Enterprise, 'e').grid}"
    changed = ", ".join(Table(Matter).column(f) for f in _FIGURE_FIELDS)
    moved = (
        f"{m.id} IN (SELECT o.{m.id} FROM {_OLD} o JOIN {_NEW} n ON n.{m.id} = o.{m.id} "
        f"WHERE (o.{changed.replace(', ', ', o.')}) IS DISTINCT FROM "
        f"(n.{changed.replace(', ', ', n.')}))"
    )
    inserted = contributions(f"{_NEW} m {_enterprise_join()}", grid=grid)
    deleted = contributions(f"{_OLD} m {_enterprise_join()}", grid=grid, negate=True)
    updated_new = contributions(f"{_NEW} m {_enterprise_join()} WHERE m.{moved}", grid=grid)
    updated_old = contributions(
        f"{_OLD} m {_enterprise_join()} WHERE m.{moved}", grid=grid, negate=True
    )
    # An enterprise moved to another grid: its matters' figures move with it.
    of_enterprise = f"{m} m WHERE m.{m.enterprise} = NEW.{e.id}"
    regrid = [
        contributions(of_enterprise, grid=f"OLD.{e.grid}", negate=True),
        contributions(of_enterprise, grid=f"NEW.{e.grid}"),
    ]
    nudges = ", ".join(f"'{a.value}'" for a in NUDGES)
    nudged = f"""
UPDATE {m} SET {m.last_nudge_at} = n.at
FROM (SELECT {st.matter} AS matter_id, max({st.at}) AS at FROM {_NEW}
      WHERE {st.action} IN ({nudges}) GROUP BY 1) n
WHERE {m.db_table}.{m.id} = n.matter_id
  AND ({m.db_table}.{m.last_nudge_at} IS NULL OR {m.db_table}.{m.last_nudge_at} < n.at);"""
    new_table = f"REFERENCING NEW TABLE AS {_NEW}"
    old_table = f"REFERENCING OLD TABLE AS {_OLD}"
    both = f"REFERENCING OLD TABLE AS {_OLD} NEW TABLE AS {_NEW}"
    return "\n".join(
        [
            _function("matter_summary_insert", _upsert([inserted])),
            _function("matter_summary_delete", _upsert([deleted])),
            _function("matter_summary_update", _upsert([updated_new, updated_old])),
            _function("matter_summary_regrid", _upsert(regrid)),
            _function("matter_last_nudge", nudged),
            _trigger(
                "matter_summary_insert",
                m.db_table,
                event="INSERT",
                level="STATEMENT",
                extra=new_table,
            ),
            _trigger(
                "matter_summary_delete",
                m.db_table,
                event="DELETE",
                level="STATEMENT",
                extra=old_table,
            ),
            _trigger(
                "matter_summary_update",
                m.db_table,
                event="UPDATE",
                level="STATEMENT",
                extra=both,
            ),
            _trigger(
                "matter_summary_regrid",
                e.db_table,
                event=f"UPDATE OF {e.grid}",
                level="ROW",
                when=f"WHEN (OLD.{e.grid} IS DISTINCT FROM NEW.{e.grid})",
            ),
            _trigger(
                "matter_last_nudge",
                st.db_table,
                event="INSERT",
                level="STATEMENT",
                extra=new_table,
            ),
        ]
    )


_TRIGGERS = (
    ("matter_summary_insert", Matter),
    ("matter_summary_delete", Matter),
    ("matter_summary_update", Matter),
    ("matter_summary_regrid", Enterprise),
    ("matter_last_nudge", MatterStep),
)


def summary_uninstall_sql() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name} ON {Table(model).db_table}; "
        f"DROP FUNCTION IF EXISTS {name}();"
        for name, model in _TRIGGERS
    )


def summary_install(cursor) -> None:
    cursor.execute(summary_install_sql())


def summary_rebuild(cursor) -> int:
    """The summary (and every ``last_nudge_at``) from scratch, set-based, with the triggers
    (re)installed first (a changed time zone is taken in). Writers of matters wait for it (a
    SHARE lock); returns the number of summary rows."""
    m, s, st = Table(Matter), Table(MatterDaySummary), Table(MatterStep)
    summary_install(cursor)
    cursor.execute(f"LOCK TABLE {m.db_table} IN SHARE MODE")
    months = Table(MatterMonthSummary)
    cursor.execute(f"LOCK TABLE {s.db_table}, {months.db_table} IN EXCLUSIVE MODE")
    cursor.execute(f"DELETE FROM {s.db_table}")
    cursor.execute(f"DELETE FROM {months.db_table}")
    grid = f"{Table(Enterprise, 'e').grid}"
    cursor.execute(_upsert([contributions(f"{m} m {_enterprise_join()}", grid=grid)]))
    nudges = [a.value for a in NUDGES]
    cursor.execute(
        f"UPDATE {m} SET {m.last_nudge_at} = n.at FROM (SELECT {st.matter} AS matter_id, "
        f"max({st.at}) AS at FROM {st} WHERE {st.action} = ANY(%s) GROUP BY 1) n "
        f"WHERE {m.db_table}.{m.id} = n.matter_id "
        f"AND {m.db_table}.{m.last_nudge_at} IS DISTINCT FROM n.at",
        [nudges],
    )
    cursor.execute(f"SELECT count(*) FROM {s.db_table}")
    return cursor.fetchone()[0]


# --- The read ------------------------------------------------------------------------------

DIMENSION_KEYS = {
    "month": "month",
    "category": "category",
    "department": "department_id",
    "grid": "grid_id",
}


def _first_whole_month(since: datetime.date | None) -> datetime.date | None:
    if since is None or since.day == 1:
        return since
    return (since.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def metrics_grouped(
    cursor,
    *,
    dimensions: list[str],
    now: datetime.datetime,
    since: datetime.date | None,
    until: datetime.date | None,
    user_id: int | None,
) -> list[tuple]:
    """One row per value of each of ``dimensions`` (``DIMENSION_KEYS``) over the matters
    received on [``since``, ``until``) (park days; None: open; its whole months read from the
    month summary, its partial months' days from the day summary): ``(dimension, month,
    category, department, grid, label, total, response_due, responded_in_time, answered,
    resolved, rated, satisfied, response_time, resolution_time)``, the times averages
    (intervals). ``user_id`` None: every
    matter; else a grid worker's scope (``selectors.visible_matters``): their grids'
    enterprises, their departments (member or lead), the matters they own and the unidentified
    callers they took in, the last two read from matters when neither grid nor department
    brings them in."""
    m, s = Table(Matter, "m"), Table(MatterDaySummary, "s")
    c, parent = Table(MatterCategory, "c"), Table(MatterCategory, "p")
    cat = Table(MatterCategory, "cat")
    d, g = Table(Department, "d"), Table(GridArea, "g")
    e = Table(Enterprise, "e")
    gw = Table(GridArea.workers.through)
    dm, dl = Table(Department.members.through), Table(Department)
    scoped = user_id is not None
    grids = f"SELECT {gw.gridarea} FROM {gw} WHERE {gw.user} = %(user)s"
    departments = (
        f"SELECT {dm.department} FROM {dm} WHERE {dm.user} = %(user)s "
        f"UNION SELECT {dl.id} FROM {dl} WHERE {dl.lead} = %(user)s"
    )
    in_scope = f"({{grid}} IN ({grids}) OR {{department}} IN ({departments}))"
    period_days = (
        "(%(since)s::date IS NULL OR {day} >= %(since)s) "
        "AND (%(until)s::date IS NULL OR {day} < %(until)s)"
    )
    month = MONTH
    sums = ", ".join(f"x.{col}" for col in COUNTS + TIMES)
    # Whole months of the period from the month summary, the days of partial months from the
    # day summary.
    whole_months = (
        "(%(first_month)s::date IS NULL OR {month} >= %(first_month)s) "
        "AND (%(end_month)s::date IS NULL OR {month} < %(end_month)s)"
    )
    sm = Table(MatterMonthSummary, "sm")

    def scope(t: Table) -> str:
        if not scoped:
            return ""
        return f" AND {in_scope.format(grid=t.grid_id, department=t.department_id)}"

    figures = ", ".join(f"{{t}}.{Table(MatterDaySummary).column(col)}" for col in COUNTS + TIMES)
    parts = [
        f"""SELECT {sm.month} AS month, {sm.category_id}, {sm.department_id}, {sm.grid_id},
    {figures.format(t="sm")}, 0 AS not_yet_due
FROM {sm}
WHERE {whole_months.format(month=sm.month)}"""
        + scope(sm),
        f"""SELECT {month.format(day=s.day)}, {s.category_id}, {s.department_id},
    {s.grid_id}, {figures.format(t="s")}, 0
FROM {s}
WHERE {period_days.format(day=s.day)} AND NOT ({whole_months.format(month=s.day)})"""
        + scope(s),
    ]
    # selectors.visible_matters: the matters they own, and the unidentified callers they
    # took in themselves (no enterprise, so no grid).
    owned_or_taken_in = (
        f"({m.owner} = %(user)s OR ({m.created_by} = %(user)s AND {m.enterprise} IS NULL))"
    )
    if scoped:  # owned, outside the grids and departments: read from matters
        owned = (
            f"{Table(Matter)} m {_enterprise_join()} WHERE {owned_or_taken_in} "
            f"AND NOT coalesce({in_scope.format(grid=e.grid, department=m.department)}, false)"
        )
        parts.append(
            f"SELECT {month.format(day='x.day')}, x.category_id, x.department_id, x.grid_id, "
            f"{sums}, 0 FROM ({contributions(owned, grid=e.grid)}) x "
            f"WHERE {period_days.format(day='x.day')}"
        )
    # Unanswered, their first response not due yet: taken out of "due by now".
    visible = (
        f" AND (coalesce({in_scope.format(grid=e.grid, department=m.department)}, false) "
        f"OR {owned_or_taken_in})"
        if scoped
        else ""
    )
    zeros = ", ".join("0" for _ in COUNTS) + ", " + ", ".join("interval '0'" for _ in TIMES)
    parts.append(
        f"""SELECT {month.format(day=day_sql(m.received_at))}, {m.category}, {m.department},
    {e.grid}, {zeros}, 1
FROM {Table(Matter)} m {_enterprise_join()}
WHERE {m.first_response_at} IS NULL AND {m.first_response_due} > %(now)s
    AND {period_days.format(day=day_sql(m.received_at))}{visible}"""
    )
    sets = ", ".join(f"({DIMENSION_KEYS[dim]})" for dim in dimensions)
    grouped_keys = {DIMENSION_KEYS[dim] for dim in dimensions}
    keys = ", ".join(
        key if key in grouped_keys else f"NULL::{kind} AS {key}"
        for key, kind in (
            ("month", "date"),
            ("category", "int"),
            ("department_id", "int"),
            ("grid_id", "int"),
        )
    )
    # Which grouping set a row is of: the one whose key is grouped (GROUPING(key) = 0).
    dimension = (
        "CASE "
        + " ".join(f"WHEN GROUPING({DIMENSION_KEYS[dim]}) = 0 THEN '{dim}'" for dim in dimensions)
        + " END"
    )
    union = "\nUNION ALL\n".join(parts)
    # Counts stay integers (a bigint's sum would be numeric, slower and a Decimal in Python).
    rolled = ", ".join(
        [f"sum({col})::int AS {col}" for col in COUNTS] + [f"sum({t}) AS {t}" for t in TIMES]
    )
    cursor.execute(
        f"""
WITH parts AS ({union}),
-- Months first (a few hundred rows from thousands of days), then the four groupings.
monthly AS (
    SELECT month, category_id, department_id, grid_id, {rolled}, sum(not_yet_due) AS not_yet_due
    FROM parts GROUP BY month, category_id, department_id, grid_id
),
grouped AS (
    SELECT {dimension} AS dimension, {keys},
        sum(total)::int AS total, (sum(total) - sum(not_yet_due))::int AS response_due,
        sum(responded_in_time)::int AS responded_in_time, sum(answered)::int AS answered,
        sum(resolved)::int AS resolved, sum(satisfied + mostly + dissatisfied)::int AS rated,
        sum(satisfied + mostly)::int AS satisfied,
        sum(response_time) / nullif(sum(responded), 0)::float8 AS response_time,
        sum(resolution_time) / nullif(sum(resolved), 0)::float8 AS resolution_time
    FROM (SELECT parts.*, coalesce({parent.id}, {c.id}) AS category
          FROM monthly parts JOIN {c} ON {c.id} = parts.category_id
          LEFT JOIN {parent} ON {parent.id} = {c.parent}) x
    GROUP BY GROUPING SETS ({sets})
    HAVING sum(total) > 0
)
SELECT dimension,
    month, category, department_id, grid_id,
    coalesce({cat.name}, {d.name}, {g.name}),
    total, response_due, responded_in_time, answered, resolved, rated, satisfied,
    response_time, resolution_time
FROM grouped
LEFT JOIN {cat} ON dimension = 'category' AND {cat.id} = category
LEFT JOIN {d} ON dimension = 'department' AND {d.id} = department_id
LEFT JOIN {g} ON dimension = 'grid' AND {g.id} = grid_id
""",
        {
            "since": since,
            "until": until,
            "first_month": _first_whole_month(since),
            "end_month": until.replace(day=1) if until else None,
            "now": now,
            "user": user_id,
        },
    )
    return cursor.fetchall()
