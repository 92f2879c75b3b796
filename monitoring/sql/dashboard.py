"""The dashboard's two figures the ORM cannot say well (the rest: monitoring.dashboard): the
red enterprises at each month's end, summed from the changes of light, and how long the red
spells that ended lately lasted. Each over the enterprises the SQL ``scope`` selects (a
user's visible, active ones), beside its reference version (tests/monitoring/test_sql.py).
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict

from monitoring.light import Light
from monitoring.models import LightChange
from registry.sql import Table

_RED = Light.RED.value


def reds_at(cursor, *, ends: list[datetime.datetime], scope: tuple[str, list]) -> list[int]:
    """How many of the ``scope``'s enterprises were red just before each of ``ends``: a
    change into red adds one, a change out of red removes one."""
    c = Table(LightChange, "c")
    sums = ", ".join(
        f"coalesce(sum(CASE WHEN {c.to_light} = '{_RED}' THEN 1 "
        f"WHEN {c.from_light} = '{_RED}' THEN -1 ELSE 0 END) FILTER (WHERE {c.at} < %s), 0)"
        for _ in ends
    )
    cursor.execute(
        f"SELECT {sums} FROM {c} WHERE {c.enterprise} IN ({scope[0]})", [*ends, *scope[1]]
    )
    return [int(value or 0) for value in cursor.fetchone()]


def reds_at_reference(*, ends: list[datetime.datetime], enterprise_ids: set[int]) -> list[int]:
    """``reds_at`` read another way: an enterprise is red at a moment when its last change
    of light before it was into red."""
    changes = LightChange.objects.filter(enterprise__in=enterprise_ids).order_by("at", "pk")
    counts = []
    for end in ends:
        last = {}
        for change in changes:
            if change.at < end:
                last[change.enterprise_id] = change.to_light
        counts.append(sum(light == _RED for light in last.values()))
    return counts


def red_days_average(cursor, *, since: datetime.datetime, scope: tuple[str, list]) -> float | None:
    """The average length in days of the ``scope``'s red spells that ended at or after
    ``since`` (a spell: a change into red until the enterprise's next change)."""
    c = Table(LightChange)
    cursor.execute(
        f"""
        SELECT avg(extract(epoch FROM next_at - at)) / 86400 FROM (
            SELECT {c.at} AS at, {c.to_light} AS to_light,
                   lead({c.at}) OVER (PARTITION BY {c.enterprise} ORDER BY {c.at}, {c.id})
                       AS next_at
            FROM {c} WHERE {c.enterprise} IN ({scope[0]})
        ) spells
        WHERE to_light = '{_RED}' AND next_at >= %s
        """,
        [*scope[1], since],
    )
    value = cursor.fetchone()[0]
    return float(value) if value is not None else None


def red_days_average_reference(
    *, since: datetime.datetime, enterprise_ids: set[int]
) -> float | None:
    by_enterprise = defaultdict(list)
    for change in LightChange.objects.filter(enterprise__in=enterprise_ids).order_by("at", "pk"):
        by_enterprise[change.enterprise_id].append(change)
    days = [
        (after.at - change.at).total_seconds() / 86400
        for changes in by_enterprise.values()
        for change, after in itertools.pairwise(changes)
        if change.to_light == _RED and after.at >= since
    ]
    return sum(days) / len(days) if days else None
