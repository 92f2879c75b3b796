"""The dashboard from sums (issue 22, at 100,000 enterprises): ``DashboardDay`` and
``DashboardMonth``, the statement triggers that keep them, their rebuild, and the reads of the
dashboard's lights, trend, red ages and red-spell average. The reference is the raw
computation (``monitoring.dashboard.dashboard_scan``); tests/monitoring/test_dashboard_summary.py
holds the two equal after every kind of change.

Why triggers, not a beat refresh: the tiles and the trend's last point must move with the
contact just logged (a worker logs a failed call, goes home, sees the yellow count change), and
the figures change on every door that writes lights (the attempt's receiver, the full
recompute, pauses, the demo, retention) or enterprises (a grid move, a deregistration, the
import). Statement triggers with transition tables see all of them, set-based, in the writer's
transaction; the sums are added to (``ON CONFLICT … SET n = n + excluded.n``), so concurrent
writers never overwrite each other (the pattern of outreach/sql/matter_metrics.py).

What an enterprise counts for (``contributions``), only while active (not deregistered), under
its grid now: its creation; each change of light (+1 into red, -1 out of red, on the park day
of the change); each red spell that ended (a change into red until the enterprise's next
change, on the day it ended); its present light if yellow or red (on the day it began). A
change of light recomputes the spells of the enterprises it touches: their old contributions
are taken out (the table as it was: the rows now less the statement's new rows plus its old
rows) and the new ones put in.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings

from monitoring.light import Light
from monitoring.models import (
    ContactHealth,
    DashboardBuildings,
    DashboardDay,
    DashboardMonth,
    DashboardTasks,
    LightChange,
)
from outreach.models import Task
from registry import clock
from registry.models import Building, Enterprise
from registry.sql import Table

_NEW, _OLD = "new_rows", "old_rows"
_RED, _YELLOW = Light.RED.value, Light.YELLOW.value
_DEREGISTERED = Enterprise.Status.DEREGISTERED.value
# The columns of DashboardDay that are sums, in order; DashboardMonth has all but the spells.
SUMS = ("red_delta", "created", "spells", "spell_time", "yellow", "red")
MONTH_SUMS = ("red_delta", "created", "yellow", "red")
# What moves an enterprise's contributions: its grid, whether it is active, its creation
# day, its building.
_MOVING_FIELDS = ("grid", "status", "created_at", "building")
_TRIGGERS = (
    ("dashboard_change_insert", LightChange),
    ("dashboard_change_delete", LightChange),
    ("dashboard_change_update", LightChange),
    ("dashboard_health_insert", ContactHealth),
    ("dashboard_health_delete", ContactHealth),
    ("dashboard_health_update", ContactHealth),
    ("dashboard_enterprise_insert", Enterprise),
    ("dashboard_enterprise_delete", Enterprise),
    ("dashboard_enterprise_update", Enterprise),
    ("dashboard_task_insert", Task),
    ("dashboard_task_delete", Task),
    ("dashboard_task_update", Task),
)


def _time_zone() -> str:
    tz = settings.TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", tz):  # written into SQL text: a name only
        raise ValueError(f"unexpected TIME_ZONE {tz!r}")
    return tz


def _day(instant: str) -> str:
    return f"({instant} AT TIME ZONE '{_time_zone()}')::date"


def contributions(
    *,
    enterprises: str,
    changes: str | None = None,
    health: str | None = None,
    created: bool = False,
    negate: bool = False,
) -> list[str]:
    """``SELECT``s of (grid_id, day, *SUMS) rows: what the active enterprises of
    ``enterprises`` (a relation with the enterprise's columns) count for, from the changes of
    light in ``changes`` and the health rows in ``health`` (relations with those tables'
    columns; None: that part left out), and their creation when ``created``."""
    e = Table(Enterprise)
    c, h = Table(LightChange), Table(ContactHealth)
    sign = "-" if negate else ""
    active = f"en.{e.status} <> '{_DEREGISTERED}'"
    zero = {name: "0" for name in SUMS} | {"spell_time": "interval '0'"}

    def row(grid: str, day: str, **values: str) -> str:
        columns = ", ".join(f"{sign}{values.get(name, zero[name])}" for name in SUMS)
        return f"{grid}, {day}, {columns}"

    parts = []
    if created:
        parts.append(
            f"SELECT {row(f'en.{e.grid}', _day(f'en.{e.created_at}'), created='1')} "
            f"FROM {enterprises} en WHERE {active}"
        )
    if changes is not None:
        delta = (
            f"(CASE WHEN ch.{c.to_light} = '{_RED}' THEN 1 "
            f"WHEN ch.{c.from_light} = '{_RED}' THEN -1 ELSE 0 END)"
        )
        parts.append(
            f"SELECT {row(f'en.{e.grid}', _day(f'ch.{c.at}'), red_delta=delta)} "
            f"FROM {changes} ch JOIN {enterprises} en ON en.{e.id} = ch.{c.enterprise} "
            f"WHERE {active}"
        )
        spells = (
            f"SELECT {c.enterprise} AS enterprise_id, {c.to_light} AS to_light, {c.at} AS at, "
            f"lead({c.at}) OVER (PARTITION BY {c.enterprise} ORDER BY {c.at}, {c.id}) "
            f"AS next_at FROM {changes} x"
        )
        values = row(f"en.{e.grid}", _day("s.next_at"), spells="1", spell_time="(s.next_at - s.at)")
        parts.append(
            f"SELECT {values} FROM ({spells}) s "
            f"JOIN {enterprises} en ON en.{e.id} = s.enterprise_id "
            f"WHERE {active} AND s.to_light = '{_RED}' AND s.next_at IS NOT NULL"
        )
    if health is not None:
        values = row(
            f"en.{e.grid}",
            _day(f"he.{h.light_since}"),
            yellow=f"(he.{h.light} = '{_YELLOW}')::int",
            red=f"(he.{h.light} = '{_RED}')::int",
        )
        parts.append(
            f"SELECT {values} FROM {health} he JOIN {enterprises} en "
            f"ON en.{e.id} = he.{h.enterprise} "
            f"WHERE {active} AND he.{h.light} IN ('{_YELLOW}', '{_RED}')"
        )
    return parts


def _upsert(parts: list[str]) -> str:
    """Add the rows of ``parts`` to the day and month sums, key by key in key order (two
    writers lock the rows they share in the same order), then drop the rows left empty."""
    if not parts:
        return ""
    union = "\nUNION ALL\n".join(parts)
    d, m = Table(DashboardDay), Table(DashboardMonth)
    names = ["grid_id", "day", *SUMS]
    sums = ", ".join(f"sum(x{i})" for i in range(2, len(names)))
    day_updates = ", ".join(
        f"{d.column(s)} = {d.db_table}.{d.column(s)} + excluded.{d.column(s)}" for s in SUMS
    )
    month_updates = ", ".join(
        f"{m.column(s)} = {m.db_table}.{m.column(s)} + excluded.{m.column(s)}" for s in MONTH_SUMS
    )
    aliases = ", ".join(f"x{i}" for i in range(len(names)))
    month = "date_trunc('month', x1::timestamp)::date"
    empty_day = " AND ".join(
        f"{d.column(s)} = " + ("interval '0'" if s == "spell_time" else "0") for s in SUMS
    )
    return f"""
WITH parts ({aliases}) AS ({union}),
days AS (
    INSERT INTO {d} ({d:grid_id,day}, {", ".join(d.column(s) for s in SUMS)})
    SELECT x0, x1, {sums} FROM parts GROUP BY x0, x1 ORDER BY x0, x1
    ON CONFLICT ({d:grid_id,day}) DO UPDATE SET {day_updates}
)
INSERT INTO {m} ({m:grid_id,month}, {", ".join(m.column(s) for s in MONTH_SUMS)})
SELECT x0, {month}, sum(x2), sum(x3), sum(x6), sum(x7) FROM parts
WHERE x2 <> 0 OR x3 <> 0 OR x6 <> 0 OR x7 <> 0
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT ({m:grid_id,month}) DO UPDATE SET {month_updates};
DELETE FROM {d} WHERE {empty_day};
DELETE FROM {m} WHERE {" AND ".join(f"{m.column(s)} = 0" for s in MONTH_SUMS)};"""


def task_contributions(*, tasks: str, enterprises: str, negate: bool = False) -> str:
    """``SELECT`` (grid_id, assignee_id, due_on, open) rows: the open tasks of ``tasks``
    under their enterprise's grid in ``enterprises`` (whatever its status: the dashboard
    counts the tasks of every visible enterprise)."""
    t, e = Table(Task), Table(Enterprise)
    sign = "-" if negate else ""
    return (
        f"SELECT en.{e.grid}, ta.{t.assignee}, ta.{t.due_on}, {sign}1 FROM {tasks} ta "
        f"JOIN {enterprises} en ON en.{e.id} = ta.{t.enterprise} "
        f"WHERE ta.{t.status} = '{Task.Status.OPEN.value}'"
    )


def _task_upsert(parts: list[str]) -> str:
    s = Table(DashboardTasks)
    key = f"{s:grid_id,assignee_id,due_on}"
    union = "\nUNION ALL\n".join(parts)
    return f"""
INSERT INTO {s} ({key}, {s.column("open")})
SELECT x0, x1, x2, sum(x3) FROM ({union}) parts (x0, x1, x2, x3)
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
ON CONFLICT ({key}) DO UPDATE SET {s.column("open")} = {s.db_table}.{s.column("open")}
    + excluded.{s.column("open")};
DELETE FROM {s} WHERE {s.column("open")} = 0;"""


def building_contributions(*, health: str, enterprises: str, negate: bool = False) -> str:
    """``SELECT`` (grid_id, building_id, yellow, red) rows: the yellow or red health rows of
    ``health`` whose enterprise in ``enterprises`` is active and in a building."""
    h, e = Table(ContactHealth), Table(Enterprise)
    sign = "-" if negate else ""
    return (
        f"SELECT en.{e.grid}, en.{e.building}, {sign}(he.{h.light} = '{_YELLOW}')::int, "
        f"{sign}(he.{h.light} = '{_RED}')::int FROM {health} he "
        f"JOIN {enterprises} en ON en.{e.id} = he.{h.enterprise} "
        f"WHERE en.{e.status} <> '{_DEREGISTERED}' AND en.{e.building} IS NOT NULL "
        f"AND he.{h.light} IN ('{_YELLOW}', '{_RED}')"
    )


def _building_upsert(parts: list[str]) -> str:
    s = Table(DashboardBuildings)
    key = f"{s:grid_id,building_id}"
    union = "\nUNION ALL\n".join(parts)
    sums = ", ".join(
        f"{s.column(c)} = {s.db_table}.{s.column(c)} + excluded.{s.column(c)}"
        for c in ("yellow", "red")
    )
    return f"""
INSERT INTO {s} ({key}, {s:yellow,red})
SELECT x0, x1, sum(x2), sum(x3) FROM ({union}) parts (x0, x1, x2, x3)
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT ({key}) DO UPDATE SET {sums};
DELETE FROM {s} WHERE {s.yellow} = 0 AND {s.red} = 0;"""


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{body}
RETURN NULL;
END
$fn$;"""


def _trigger(name: str, table: str, *, event: str, referencing: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing}
FOR EACH STATEMENT EXECUTE FUNCTION {name}();"""


def summary_install_sql() -> str:
    """The functions and triggers that keep the sums (idempotent)."""
    e, c, h = Table(Enterprise), Table(LightChange), Table(ContactHealth)
    t = Table(Task)
    touched = f"(SELECT {c.enterprise} FROM {_NEW} UNION SELECT {c.enterprise} FROM {_OLD})"

    def changes_now(of: str) -> str:
        return f"(SELECT * FROM {c} WHERE {c.enterprise} IN {of})"

    def changes_before(of: str, *, new: bool, old: bool) -> str:
        # The table as it was before the statement: the rows now less the new, plus the old.
        rows = f"SELECT * FROM {c} WHERE {c.enterprise} IN {of}"
        if new:
            rows += f" AND {c.id} NOT IN (SELECT {c.id} FROM {_NEW})"
        if old:
            rows += f" UNION ALL SELECT * FROM {_OLD}"
        return f"({rows})"

    def change_body(*, new: bool, old: bool) -> str:
        of = touched if new and old else f"(SELECT {c.enterprise} FROM {_NEW if new else _OLD})"
        return _upsert(
            contributions(enterprises=str(e), changes=changes_now(of))
            + contributions(
                enterprises=str(e), changes=changes_before(of, new=new, old=old), negate=True
            )
        )

    moving = ", ".join(e.column(f) for f in _MOVING_FIELDS)
    moved = (
        f"(SELECT n.* FROM {{side}} n JOIN (SELECT o.{e.id} FROM {_OLD} o "
        f"JOIN {_NEW} nn ON nn.{e.id} = o.{e.id} "
        f"WHERE (o.{moving.replace(', ', ', o.')}) IS DISTINCT FROM "
        f"(nn.{moving.replace(', ', ', nn.')})) k ON k.{e.id} = n.{e.id})"
    )
    everything = {"changes": str(c), "health": str(h), "created": True}
    functions = {
        "dashboard_change_insert": change_body(new=True, old=False),
        "dashboard_change_delete": change_body(new=False, old=True),
        "dashboard_change_update": change_body(new=True, old=True),
        "dashboard_health_insert": _upsert(contributions(enterprises=str(e), health=_NEW))
        + _building_upsert([building_contributions(health=_NEW, enterprises=str(e))]),
        "dashboard_health_delete": _upsert(
            contributions(enterprises=str(e), health=_OLD, negate=True)
        )
        + _building_upsert([building_contributions(health=_OLD, enterprises=str(e), negate=True)]),
        "dashboard_health_update": _upsert(
            contributions(enterprises=str(e), health=_NEW)
            + contributions(enterprises=str(e), health=_OLD, negate=True)
        )
        + _building_upsert(
            [
                building_contributions(health=_NEW, enterprises=str(e)),
                building_contributions(health=_OLD, enterprises=str(e), negate=True),
            ]
        ),
        "dashboard_enterprise_insert": _upsert(contributions(enterprises=_NEW, **everything)),
        "dashboard_enterprise_delete": _upsert(
            contributions(enterprises=_OLD, negate=True, **everything)
        )
        + _building_upsert([building_contributions(health=str(h), enterprises=_OLD, negate=True)]),
        "dashboard_enterprise_update": _upsert(
            contributions(enterprises=moved.format(side=_NEW), **everything)
            + contributions(enterprises=moved.format(side=_OLD), negate=True, **everything)
        )
        + _task_upsert(
            [
                task_contributions(tasks=str(t), enterprises=moved.format(side=_NEW)),
                task_contributions(tasks=str(t), enterprises=moved.format(side=_OLD), negate=True),
            ]
        )
        + _building_upsert(
            [
                building_contributions(health=str(h), enterprises=moved.format(side=_NEW)),
                building_contributions(
                    health=str(h), enterprises=moved.format(side=_OLD), negate=True
                ),
            ]
        ),
        "dashboard_task_insert": _task_upsert([task_contributions(tasks=_NEW, enterprises=str(e))]),
        "dashboard_task_delete": _task_upsert(
            [task_contributions(tasks=_OLD, enterprises=str(e), negate=True)]
        ),
        "dashboard_task_update": _task_upsert(
            [
                task_contributions(tasks=_NEW, enterprises=str(e)),
                task_contributions(tasks=_OLD, enterprises=str(e), negate=True),
            ]
        ),
    }
    referencing = {
        "insert": (f"NEW TABLE AS {_NEW}", "INSERT"),
        "delete": (f"OLD TABLE AS {_OLD}", "DELETE"),
        "update": (f"OLD TABLE AS {_OLD} NEW TABLE AS {_NEW}", "UPDATE"),
    }
    statements = [_function(name, body) for name, body in functions.items()]
    for name, model in _TRIGGERS:
        ref, event = referencing[name.rsplit("_", 1)[1]]
        statements.append(_trigger(name, Table(model).db_table, event=event, referencing=ref))
    return "\n".join(statements)


def summary_uninstall_sql() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name} ON {Table(model).db_table}; "
        f"DROP FUNCTION IF EXISTS {name}();"
        for name, model in _TRIGGERS
    )


def summary_rebuild(cursor) -> int:
    """The sums from scratch, set-based, with the triggers (re)installed first (a changed
    time zone is taken in). Writers of the tables summed wait for it (SHARE locks); returns
    the number of day rows."""
    e, c, h = Table(Enterprise), Table(LightChange), Table(ContactHealth)
    t = Table(Task)
    sums = [Table(model).db_table for model in (DashboardDay, DashboardMonth, DashboardTasks)]
    sums.append(Table(DashboardBuildings).db_table)
    cursor.execute(summary_install_sql())
    cursor.execute(
        f"LOCK TABLE {e.db_table}, {c.db_table}, {h.db_table}, {t.db_table} IN SHARE MODE"
    )
    cursor.execute(f"LOCK TABLE {', '.join(sums)} IN EXCLUSIVE MODE")
    cursor.execute("".join(f"DELETE FROM {table};" for table in sums))
    cursor.execute(
        _upsert(contributions(enterprises=str(e), changes=str(c), health=str(h), created=True))
    )
    cursor.execute(_task_upsert([task_contributions(tasks=str(t), enterprises=str(e))]))
    cursor.execute(_building_upsert([building_contributions(health=str(h), enterprises=str(e))]))
    cursor.execute(f"SELECT count(*) FROM {sums[0]}")
    return cursor.fetchone()[0]


# --- The reads -----------------------------------------------------------------------------


def _grids(alias: str, grids: list[int] | None) -> tuple[str, list]:
    if grids is None:
        return "", []
    return f" AND {alias}.{Table(DashboardDay).grid_id} = ANY(%s)", [grids]


def figures(
    cursor,
    *,
    months: list[datetime.date],
    today: datetime.date,
    bounds: list[datetime.datetime],
    since: datetime.date,
    grids: list[int] | None,
) -> dict:
    """The lights, the trend, the red ages and the red-spell average of the grids (None:
    every enterprise, with or without a grid), in one statement of single-row parts:

    - ``lights``: (active, yellow, red), from the month sums (a few hundred rows);
    - ``trend``: (red, active) at the end of each of ``months`` (first days, the last one
      this month, ending today): whole months from the month sums, this month's days from
      the day sums;
    - ``red_after``: how many enterprises red now became red after each of ``bounds``
      (instants): the whole days after each from the day sums (only the days after the
      oldest bound: the index on day), the day of each bound read live from contact health
      (its partial index on light, light_since); ``red_known``: how many have a known start;
    - ``red_days_average``: the average length in days of the red spells that ended on or
      after ``since``.
    """
    m, d = Table(DashboardMonth, "m"), Table(DashboardDay, "d")
    h, e = Table(ContactHealth, "h"), Table(Enterprise, "e")
    m_scope, m_params = _grids("m", grids)
    d_scope, d_params = _grids("d", grids)
    current = months[-1]
    ends = [*months[1:], current]
    days = [clock.today(bound) for bound in bounds]
    starts = [
        (clock.start_of_day(day), clock.start_of_day(day + datetime.timedelta(days=1)))
        for day in days
    ]
    live_scope, live_params = ("", []) if grids is None else (f" AND {e.grid} = ANY(%s)", [grids])
    month_sums = ", ".join(
        f"coalesce(sum({m.red_delta}) FILTER (WHERE {m.month} < %s), 0), "
        f"coalesce(sum({m.created}) FILTER (WHERE {m.month} < %s), 0)"
        for _ in ends
    )
    parts: list[tuple[str, list, int]] = [  # (SELECT, its parameters, its columns)
        (
            f"SELECT coalesce(sum({m.created}), 0), coalesce(sum({m.yellow}), 0), "
            f"coalesce(sum({m.red}), 0), coalesce(sum({m.red}) FILTER "
            f"(WHERE {m.month} IS NOT NULL), 0) FROM {m} WHERE true{m_scope}",
            m_params,
            4,
        ),
        (
            f"SELECT {month_sums} FROM {m} WHERE {m.month} < %s{m_scope}",
            [v for end in ends for v in (end, end)] + [current, *m_params],
            2 * len(ends),
        ),
        (
            f"SELECT coalesce(sum({d.red_delta}), 0), coalesce(sum({d.created}), 0) FROM {d} "
            f"WHERE {d.day} >= %s AND {d.day} <= %s{d_scope}",
            [current, today, *d_params],
            2,
        ),
        (
            "SELECT "
            + ", ".join(f"coalesce(sum({d.red}) FILTER (WHERE {d.day} > %s), 0)" for _ in days)
            + f" FROM {d} WHERE {d.day} > %s{d_scope}",
            [*days, min(days), *d_params],
            len(days),
        ),
        (
            "SELECT "
            + ", ".join(
                f"count(*) FILTER (WHERE {h.light_since} >= %s AND {h.light_since} < %s "
                f"AND {h.light_since} > %s)"
                for _ in bounds
            )
            + f" FROM {h} JOIN {e} ON {e.id} = {h.enterprise} WHERE {h.light} = '{_RED}' AND ("
            + " OR ".join(f"({h.light_since} >= %s AND {h.light_since} < %s)" for _ in bounds)
            + f") AND {e.status} <> '{_DEREGISTERED}'{live_scope}",
            [v for (a, b), bound in zip(starts, bounds, strict=True) for v in (a, b, bound)]
            + [v for pair in starts for v in pair]
            + live_params,
            len(bounds),
        ),
        (
            f"SELECT extract(epoch FROM sum({d.spell_time})) / 86400 "
            f"/ nullif(sum({d.spells}), 0) FROM {d} WHERE {d.day} >= %s AND {d.spells} <> 0"
            f"{d_scope}",
            [since, *d_params],
            1,
        ),
    ]
    cursor.execute(
        "SELECT * FROM " + ", ".join(f"({sql}) p{i}" for i, (sql, _p, _n) in enumerate(parts)),
        [v for _sql, params, _n in parts for v in params],
    )
    row, values = cursor.fetchone(), []
    for _sql, _params, width in parts:
        values.append(row[:width])
        row = row[width:]
    lights, whole, this_month, recent, live, (average,) = values
    points = [[int(whole[2 * i]), int(whole[2 * i + 1])] for i in range(len(ends))]
    points[-1][0] += int(this_month[0])
    points[-1][1] += int(this_month[1])
    return {
        "lights": tuple(int(v) for v in lights[:3]),
        "red_known": int(lights[3]),
        "trend": [tuple(point) for point in points],
        "red_after": [int(a) + int(b) for a, b in zip(recent, live, strict=True)],
        "red_days_average": float(average) if average is not None else None,
    }


def task_loads(
    cursor, *, today: datetime.date, grids: list[int] | None
) -> list[tuple[int | None, int | None, int, int]]:
    """(grid_id, assignee_id, open, overdue) of the open tasks of the grids' enterprises."""
    s = Table(DashboardTasks, "s")
    scope, params = _grids("s", grids)
    cursor.execute(
        f"SELECT {s.grid_id}, {s.assignee_id}, sum({s.open})::int, "
        f"(coalesce(sum({s.open}) FILTER (WHERE {s.due_on} < %s), 0))::int "
        f"FROM {s} WHERE true{scope} GROUP BY 1, 2",
        [today, *params],
    )
    return cursor.fetchall()


def buildings(
    cursor, *, at_least: int, limit: int, grids: list[int] | None
) -> list[tuple[int, str, int, int]]:
    """(building, name, red, yellow) of the buildings with at least ``at_least`` yellow or red
    enterprises of the grids, most red first, then most of both, then by name."""
    s, b = Table(DashboardBuildings, "s"), Table(Building, "b")
    scope, params = _grids("s", grids)
    cursor.execute(
        f"SELECT {s.building_id}, {b.name}, sum({s.red})::int AS red, sum({s.yellow})::int "
        f"FROM {s} JOIN {b} ON {b.id} = {s.building_id} WHERE true{scope} "
        f"GROUP BY {s.building_id}, {b.name} "
        f"HAVING sum({s.red} + {s.yellow}) >= %s "
        f"ORDER BY red DESC, sum({s.red} + {s.yellow}) DESC, {b.name} LIMIT %s",
        [*params, at_least, limit],
    )
    return cursor.fetchall()
