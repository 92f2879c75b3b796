"""Every enterprise's light recomputed from the whole contact log, set-based (when and why:
monitoring.services.recompute). The same rules as monitoring.light, in SQL: failed occasions
after the last success (ordered by time, then id, as ``replay`` orders them; redials on a
channel within the window are one occasion), yellow from the ``yellow_at``-th, red from the
``red_at``-th. ``recomputed_reference`` is ``replay`` itself
over each enterprise's history, held equal by tests/monitoring/test_sql.py.
"""

from __future__ import annotations

import datetime

from monitoring.light import EVERY_FAILURE, Attempt, Light, replay
from monitoring.models import ContactHealth, EmergencyProcedure, LightChange
from outreach.models import ContactAttempt
from registry.sql import Table

# The temporary table of one run: each enterprise's recomputed and previous light.
RECOMPUTED = "recomputed"
# Its steps: the last successes, the failures after them, the occasions those make.
_LAST_OK, _TAIL, _OCCASIONS = "recompute_last_ok", "recompute_tail", "recompute_occasions"
_GREEN, _YELLOW, _RED = Light.GREEN.value, Light.YELLOW.value, Light.RED.value


def health_lock(cursor) -> None:
    """Attempts logged meanwhile wait at their ``select_for_update`` of the health row."""
    cursor.execute(f"LOCK TABLE {Table(ContactHealth).db_table} IN EXCLUSIVE MODE")


def compute(cursor, params: dict) -> int:
    """Fill ``RECOMPUTED`` (enterprise_id, failures, began, last_success, last_attempt,
    old_light, old_since, light) for every enterprise with an attempt; ``params``:
    successes, uncounted (outcomes the light leaves out), yellow_at, red_at, window
    (failures on a channel within it of an occasion's first are that occasion:
    ``monitoring.light.is_redial``) and today (a paused enterprise does not escalate: it
    keeps its light unless back to green). Returns how many."""
    a, h = Table(ContactAttempt, "a"), Table(ContactHealth, "h")
    cursor.execute(f"DROP TABLE IF EXISTS {RECOMPUTED}, {_LAST_OK}, {_TAIL}, {_OCCASIONS}")
    # Each enterprise's last success, and its failures after it (the tail) numbered per
    # channel in time, then id, order: replay's order, with the time of the failures before
    # and after on the same channel.
    cursor.execute(
        f"""
CREATE TEMP TABLE {_LAST_OK} ON COMMIT DROP AS
SELECT DISTINCT ON ({a.enterprise}) {a.enterprise} AS enterprise_id,
       {a.occurred_at} AS occurred_at, {a.id} AS id
FROM {a} WHERE {a.outcome} = ANY(%(successes)s)
ORDER BY {a.enterprise}, {a.occurred_at} DESC, {a.id} DESC
""",
        params,
    )
    cursor.execute(f"CREATE INDEX ON {_LAST_OK} (enterprise_id)")
    cursor.execute(f"ANALYZE {_LAST_OK}")
    cursor.execute(
        f"""
CREATE TEMP TABLE {_TAIL} ON COMMIT DROP AS
SELECT enterprise_id, channel, occurred_at, id, m,
       -- A head: a failure at least a window after the one before it on its channel starts
       -- an occasion whatever came before (the present one began no later than that one).
       coalesce(occurred_at >= previous + %(window)s, true) AS head,
       coalesce(following < occurred_at + %(window)s, false) AS followed
FROM (
    SELECT {a.enterprise} AS enterprise_id, {a.channel} AS channel,
           {a.occurred_at} AS occurred_at, {a.id} AS id,
           row_number() OVER w AS m,
           lag({a.occurred_at}) OVER w AS previous,
           lead({a.occurred_at}) OVER w AS following
    FROM {a}
    LEFT JOIN {_LAST_OK} s ON s.enterprise_id = {a.enterprise}
    WHERE NOT ({a.outcome} = ANY(%(successes)s)) AND NOT ({a.outcome} = ANY(%(uncounted)s))
      AND (s.enterprise_id IS NULL OR ({a.occurred_at}, {a.id}) > (s.occurred_at, s.id))
    WINDOW w AS (PARTITION BY {a.enterprise}, {a.channel} ORDER BY {a.occurred_at}, {a.id})
) failures
""",
        params,
    )
    cursor.execute(f"CREATE INDEX ON {_TAIL} (enterprise_id, channel, m) WHERE NOT head")
    cursor.execute(f"ANALYZE {_TAIL}")
    # The occasions: every head, and within a run of close failures after a head, a walk in
    # order carrying the present occasion's start (the window is anchored at it, so this is
    # recursive): a failure at or after start + window starts the next occasion. Only the
    # runs are walked, one index probe per failure in them; redials are rare, runs short.
    cursor.execute(
        f"""
CREATE TEMP TABLE {_OCCASIONS} ON COMMIT DROP AS
WITH RECURSIVE walk AS (
    SELECT enterprise_id, channel, m, occurred_at, id, occurred_at AS start, false AS starts
    FROM {_TAIL} WHERE head AND followed
    UNION ALL
    SELECT t.enterprise_id, t.channel, t.m, t.occurred_at, t.id,
           CASE WHEN t.occurred_at >= w.start + %(window)s THEN t.occurred_at ELSE w.start END,
           t.occurred_at >= w.start + %(window)s
    FROM walk w
    JOIN {_TAIL} t ON t.enterprise_id = w.enterprise_id AND t.channel = w.channel
                  AND t.m = w.m + 1 AND NOT t.head
),
starts AS (
    SELECT enterprise_id, occurred_at, id FROM {_TAIL} WHERE head
    UNION ALL
    -- (the walk's first rows are heads, counted above: ``starts`` is false for them)
    SELECT enterprise_id, occurred_at, id FROM walk WHERE starts
)
SELECT enterprise_id, occurred_at,
       row_number() OVER (PARTITION BY enterprise_id ORDER BY occurred_at, id) AS n
FROM starts
""",
        params,
    )
    cursor.execute(
        f"""
CREATE TEMP TABLE {RECOMPUTED} ON COMMIT DROP AS
WITH counted AS (
    SELECT enterprise_id, count(*) AS failures,
           max(occurred_at) FILTER (WHERE n = %(yellow_at)s) AS yellow_at,
           max(occurred_at) FILTER (WHERE n = %(red_at)s) AS red_at
    FROM {_OCCASIONS} GROUP BY enterprise_id
),
last_any AS (
    SELECT {a.enterprise} AS enterprise_id, max({a.occurred_at}) AS at FROM {a}
    WHERE NOT ({a.outcome} = ANY(%(uncounted)s))
    GROUP BY {a.enterprise}
),
computed AS (
    SELECT la.enterprise_id, coalesce(c.failures, 0) AS failures,
           CASE WHEN c.failures >= %(red_at)s THEN '{_RED}'
                WHEN c.failures >= %(yellow_at)s THEN '{_YELLOW}' ELSE '{_GREEN}' END AS light,
           CASE WHEN c.failures >= %(red_at)s THEN c.red_at
                WHEN c.failures >= %(yellow_at)s THEN c.yellow_at
                ELSE s.occurred_at END AS began,
           s.occurred_at AS last_success, la.at AS last_attempt
    FROM last_any la
    LEFT JOIN counted c ON c.enterprise_id = la.enterprise_id
    LEFT JOIN {_LAST_OK} s ON s.enterprise_id = la.enterprise_id
)
SELECT c.enterprise_id, c.failures, c.began, c.last_success, c.last_attempt,
       coalesce({h.light}, '{_GREEN}') AS old_light, {h.light_since} AS old_since,
       CASE WHEN {h.paused_until} >= %(today)s AND c.light <> '{_GREEN}'
            THEN coalesce({h.light}, '{_GREEN}') ELSE c.light END AS light
FROM computed c
LEFT JOIN {h} ON {h.enterprise} = c.enterprise_id
""",
        params,
    )
    enterprises = cursor.rowcount
    # A temporary table has no statistics: without them the joins below go quadratic.
    cursor.execute(f"CREATE INDEX ON {RECOMPUTED} (enterprise_id)")
    cursor.execute(f"ANALYZE {RECOMPUTED}")
    return enterprises


def recomputed(cursor) -> dict[int, tuple]:
    """What ``compute`` found: enterprise id -> (light, failures, last success, last
    attempt), for the parity test."""
    cursor.execute(
        f"SELECT enterprise_id, light, failures, last_success, last_attempt FROM {RECOMPUTED}"
    )
    return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def recomputed_reference(
    *, today: datetime.date, window: datetime.timedelta = EVERY_FAILURE
) -> dict[int, tuple]:
    """``compute`` by ``replay`` over each enterprise's attempts (in time, then id, order)."""
    histories: dict[int, list[Attempt]] = {}
    attempts = ContactAttempt.objects.exclude(outcome__in=ContactAttempt.Outcome.uncounted())
    for attempt in attempts.order_by("occurred_at", "pk"):
        histories.setdefault(attempt.enterprise_id, []).append(
            Attempt(at=attempt.occurred_at, reached=attempt.succeeded, channel=attempt.channel)
        )
    stored = {row.enterprise_id: row for row in ContactHealth.objects.all()}
    result = {}
    for pk, attempts in histories.items():
        health, _changes = replay(attempts, window=window)
        light, row = health.light, stored.get(pk)
        paused = row is not None and row.paused_until is not None and row.paused_until >= today
        if paused and light != Light.GREEN:
            light = Light(row.light)
        result[pk] = (
            str(light),
            health.consecutive_failures,
            health.last_success_at,
            health.last_attempt_at,
        )
    return result


def changes_record(cursor, *, now: datetime.datetime) -> int:
    """A light change (reason "recompute") for every light that changed; how many."""
    change = Table(LightChange)
    cursor.execute(
        f"""
INSERT INTO {change} (
    {change:enterprise,from_light,to_light,at,reason,consecutive_failures,created_at})
SELECT enterprise_id, old_light, light, coalesce(began, %(now)s), %(reason)s, failures, %(now)s
FROM {RECOMPUTED} WHERE light <> old_light
""",
        {"now": now, "reason": LightChange.Reason.RECOMPUTE},
    )
    return cursor.rowcount


def health_store(cursor, *, now: datetime.datetime) -> None:
    """Store the recomputed health, writing only the rows whose light, count or last
    attempt changed (a light that stays keeps its start)."""
    h = Table(ContactHealth)
    stored = h.db_table
    cursor.execute(
        f"""
INSERT INTO {h} (
    {h:enterprise,light,consecutive_failures,light_since,last_success_at,last_attempt_at},
    {h:pause_reason,updated_at})
SELECT enterprise_id, light, failures,
       CASE WHEN light = old_light THEN old_since ELSE coalesce(began, %(now)s) END,
       last_success, last_attempt, '', %(now)s
FROM {RECOMPUTED}
ON CONFLICT ({h:enterprise}) DO UPDATE SET
    {h:light} = excluded.{h:light},
    {h:consecutive_failures} = excluded.{h:consecutive_failures},
    {h:light_since} = excluded.{h:light_since},
    {h:last_success_at} = excluded.{h:last_success_at},
    {h:last_attempt_at} = excluded.{h:last_attempt_at},
    {h:updated_at} = excluded.{h:updated_at}
WHERE ({stored}.{h:light}, {stored}.{h:consecutive_failures}, {stored}.{h:last_attempt_at})
      IS DISTINCT FROM
      (excluded.{h:light}, excluded.{h:consecutive_failures}, excluded.{h:last_attempt_at})
""",
        {"now": now},
    )


def turned(light: str) -> str:
    """SQL selecting (column ``id``) the enterprises whose light turned ``light`` in this
    run (a holds query for outreach.sql.tasks.tasks_open_where)."""
    return (
        f"SELECT enterprise_id AS id FROM {RECOMPUTED} "
        f"WHERE light = '{light}' AND old_light <> '{light}'"
    )


# A FROM item and condition for the enterprises back to green in this run.
BACK_TO_GREEN = (f"{RECOMPUTED} r", f"r.light = '{_GREEN}' AND r.old_light <> '{_GREEN}'")


def procedures_reached(cursor, *, now: datetime.datetime) -> int:
    """End the open emergency procedures of the enterprises back to green as "reached"."""
    p = Table(EmergencyProcedure, "p")
    source, condition = BACK_TO_GREEN
    cursor.execute(
        f"UPDATE {p} SET {p:status} = %s, {p:ended_at} = %s FROM {source} "
        f"WHERE r.enterprise_id = {p.enterprise} AND {condition} AND {p.status} = %s",
        [EmergencyProcedure.Status.REACHED, now, EmergencyProcedure.Status.OPEN],
    )
    return cursor.rowcount
