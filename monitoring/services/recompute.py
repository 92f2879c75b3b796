"""Every enterprise's light recomputed from the whole contact log, set-based.

For histories written without the signal (seed_demo, a bulk import of past contacts) and as
a repair. The same rules as monitoring.light, in SQL: failures after the last success
(ordered by time, then id, as ``replay`` orders them), yellow from the 2nd, red from the 3rd.
A light that changes is recorded (reason "recompute") and opens or closes the escalation
tasks as an attempt would; a paused enterprise does not escalate.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from monitoring.kinds import PROCEDURE_STEPS
from monitoring.light import RED_AT, YELLOW_AT
from monitoring.services.health import ONSITE_DUE_DAYS, RECHECK_DUE_DAYS
from monitoring.services.rules import tasks_open_where
from outreach.models import ContactAttempt, Task
from registry import clock

COMPUTE = """
CREATE TEMP TABLE recomputed ON COMMIT DROP AS
WITH last_ok AS (
    SELECT DISTINCT ON (enterprise_id) enterprise_id, occurred_at, id
    FROM outreach_contactattempt WHERE outcome = ANY(%(successes)s)
    ORDER BY enterprise_id, occurred_at DESC, id DESC
),
tail AS (
    SELECT a.enterprise_id, a.occurred_at,
           row_number() OVER (PARTITION BY a.enterprise_id ORDER BY a.occurred_at, a.id) AS n
    FROM outreach_contactattempt a
    LEFT JOIN last_ok s ON s.enterprise_id = a.enterprise_id
    WHERE NOT (a.outcome = ANY(%(successes)s))
      AND (s.enterprise_id IS NULL OR (a.occurred_at, a.id) > (s.occurred_at, s.id))
),
counted AS (
    SELECT enterprise_id, count(*) AS failures,
           max(occurred_at) FILTER (WHERE n = %(yellow_at)s) AS yellow_at,
           max(occurred_at) FILTER (WHERE n = %(red_at)s) AS red_at
    FROM tail GROUP BY enterprise_id
),
last_any AS (
    SELECT enterprise_id, max(occurred_at) AS at FROM outreach_contactattempt
    GROUP BY enterprise_id
),
computed AS (
    SELECT la.enterprise_id, coalesce(c.failures, 0) AS failures,
           CASE WHEN c.failures >= %(red_at)s THEN 'red'
                WHEN c.failures >= %(yellow_at)s THEN 'yellow' ELSE 'green' END AS light,
           CASE WHEN c.failures >= %(red_at)s THEN c.red_at
                WHEN c.failures >= %(yellow_at)s THEN c.yellow_at
                ELSE s.occurred_at END AS began,
           s.occurred_at AS last_success, la.at AS last_attempt
    FROM last_any la
    LEFT JOIN counted c ON c.enterprise_id = la.enterprise_id
    LEFT JOIN last_ok s ON s.enterprise_id = la.enterprise_id
)
SELECT c.enterprise_id, c.failures, c.began, c.last_success, c.last_attempt,
       coalesce(h.light, 'green') AS old_light, h.light_since AS old_since,
       -- A paused enterprise does not escalate: it keeps its light unless back to green.
       CASE WHEN h.paused_until >= %(today)s AND c.light <> 'green'
            THEN coalesce(h.light, 'green') ELSE c.light END AS light
FROM computed c
LEFT JOIN monitoring_contacthealth h ON h.enterprise_id = c.enterprise_id
"""

RECORD_CHANGES = """
INSERT INTO monitoring_lightchange (
    enterprise_id, from_light, to_light, at, reason, consecutive_failures, created_at)
SELECT enterprise_id, old_light, light, coalesce(began, %(now)s), 'recompute', failures, %(now)s
FROM recomputed WHERE light <> old_light
"""

STORE = """
INSERT INTO monitoring_contacthealth (
    enterprise_id, light, consecutive_failures, light_since, last_success_at,
    last_attempt_at, pause_reason, updated_at)
SELECT enterprise_id, light, failures,
       CASE WHEN light = old_light THEN old_since ELSE coalesce(began, %(now)s) END,
       last_success, last_attempt, '', %(now)s
FROM recomputed
ON CONFLICT (enterprise_id) DO UPDATE SET
    light = excluded.light,
    consecutive_failures = excluded.consecutive_failures,
    light_since = excluded.light_since,
    last_success_at = excluded.last_success_at,
    last_attempt_at = excluded.last_attempt_at,
    updated_at = excluded.updated_at
WHERE (monitoring_contacthealth.light, monitoring_contacthealth.consecutive_failures,
       monitoring_contacthealth.last_attempt_at)
      IS DISTINCT FROM (excluded.light, excluded.consecutive_failures, excluded.last_attempt_at)
"""

CALM = """
UPDATE outreach_task t SET status = 'done', closed_at = %(now)s, close_note = %(note)s
FROM recomputed r
WHERE r.enterprise_id = t.enterprise_id AND r.light = 'green' AND r.old_light <> 'green'
  AND t.status = 'open' AND t.kind = ANY(%(kinds)s)
"""


@dataclass(frozen=True)
class RecomputeResult:
    enterprises: int
    changed: int


def health_recompute_all(*, now: datetime.datetime | None = None) -> RecomputeResult:
    """Recompute every enterprise's light from its contact history, in one transaction.

    Holds the health table in EXCLUSIVE mode: attempts logged meanwhile wait at their
    ``select_for_update`` of the health row and step on from the recomputed state, so none
    is lost or counted twice. ``now`` (default: the one clock) stamps the changes of light, a
    light's start where no attempt dates it, and the tasks it closes.
    """
    now = now or clock.now()
    today = clock.today(now)
    params = {
        "successes": sorted(ContactAttempt.Outcome.successes()),
        "yellow_at": YELLOW_AT,
        "red_at": RED_AT,
        "today": today,
    }
    with (
        translation.override(settings.LANGUAGE_CODE),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("LOCK TABLE monitoring_contacthealth IN EXCLUSIVE MODE")
        cursor.execute("DROP TABLE IF EXISTS recomputed")
        cursor.execute(COMPUTE, params)
        enterprises = cursor.rowcount
        # A temporary table has no statistics: without them the joins below go quadratic.
        cursor.execute("CREATE INDEX ON recomputed (enterprise_id)")
        cursor.execute("ANALYZE recomputed")
        cursor.execute(RECORD_CHANGES, {"now": now})
        changed = cursor.rowcount
        cursor.execute(STORE, {"now": now})
        for light, kind, channel, days, note in (
            (
                "yellow",
                Task.Kind.RECHECK_CALL,
                ContactAttempt.Channel.WECHAT,
                RECHECK_DUE_DAYS,
                _("Two contacts in a row failed: re-check through another channel."),
            ),
            (
                "red",
                Task.Kind.ONSITE_VERIFICATION,
                ContactAttempt.Channel.VISIT,
                ONSITE_DUE_DAYS,
                _("Three or more contacts in a row failed: verify on site."),
            ),
        ):
            tasks_open_where(
                cursor,
                kind=kind,
                holds="SELECT enterprise_id AS id FROM recomputed "
                "WHERE light = %(light)s AND old_light <> %(light)s",
                params={"light": light},
                note=note,
                channel=channel,
                due_on=today + datetime.timedelta(days=days),
                now=now,
            )
        cursor.execute(
            CALM,
            {
                "now": now,
                "note": _("The liaison was reached: back to green."),
                "kinds": [
                    Task.Kind.RECHECK_CALL,
                    Task.Kind.ONSITE_VERIFICATION,
                    *PROCEDURE_STEPS.values(),
                ],
            },
        )
        cursor.execute(
            "UPDATE monitoring_emergencyprocedure p SET status = 'reached', ended_at = %s "
            "FROM recomputed r WHERE r.enterprise_id = p.enterprise_id AND r.light = 'green' "
            "AND r.old_light <> 'green' AND p.status = 'open'",
            [now],
        )
    return RecomputeResult(enterprises=enterprises, changed=changed)
