"""The rules that create work (自动触发规则), run set-based over the whole registry.

Each rule is one SQL condition: the enterprises for which it holds. A sweep then, per rule,
(1) opens one task for every enterprise where it holds and none is open — one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` against outreach's partial unique index
``task_one_open_per_enterprise_kind`` — and (2) closes the rule's open tasks where it no
longer holds — one ``UPDATE``. Deregistered enterprises are left out (their tasks close).

The sweep runs in one transaction under a transaction-level advisory lock: two beats, or a
manual run beside the beat, queue up and the second finds nothing to do, so running it twice
or twice at once has the effect of running it once.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from monitoring import kinds
from monitoring.models import RuleSettings
from outreach.models import ONE_OPEN_CONFLICT, ContactAttempt
from outreach.services.tasks import grid_workers_cte
from registry import clock
from registry.bulk_history import changed_at_sql

SWEEP_LOCK = "monitoring.rules.sweep"


@dataclass(frozen=True)
class Rule:
    kind: str
    # SQL selecting the enterprise ids (column "id") for which the rule holds, with
    # %(name)s parameters from ``_parameters``.
    condition: str
    suggested_channel: str = ""


# Liaison details neither updated nor verified since the cut-off.
STALE_LIAISON = Rule(
    kinds.STALE_LIAISON,
    """
    SELECT l.enterprise_id AS id FROM registry_liaison l
    WHERE l.ended_on IS NULL
      AND greatest(l.last_verified_at, l.updated_at) < %(stale_before)s
    """,
    ContactAttempt.Channel.PHONE,
)

# Both phones known and different (the normalised forms: PhoneField stores them canonical).
PHONE_MISMATCH = Rule(
    kinds.PHONE_MISMATCH,
    """
    SELECT e.id FROM registry_enterprise e
    WHERE e.annual_report_phone <> '' AND e.registered_phone <> ''
      AND e.annual_report_phone <> e.registered_phone
    """,
    ContactAttempt.Channel.PHONE,
)

# The current liaison's number was reported not in service at least N days ago, and nobody
# has been reached since.
NOT_IN_SERVICE = Rule(
    kinds.NOT_IN_SERVICE,
    """
    SELECT DISTINCT a.enterprise_id AS id
    FROM outreach_contactattempt a
    JOIN registry_liaison l ON l.id = a.liaison_id AND l.ended_on IS NULL
    LEFT JOIN (
        SELECT enterprise_id, max(occurred_at) AS at FROM outreach_contactattempt
        WHERE outcome = ANY(%(successes)s) GROUP BY enterprise_id
    ) ok ON ok.enterprise_id = a.enterprise_id
    WHERE a.outcome = 'not_in_service' AND a.occurred_at <= %(reported_before)s
      AND (ok.at IS NULL OR ok.at < a.occurred_at)
    """,
    ContactAttempt.Channel.VISIT,
)

# N or more changes of liaison (a liaison starting after the enterprise's first) in the window.
FREQUENT_CHANGES = Rule(
    kinds.FREQUENT_CHANGES,
    """
    SELECT c.enterprise_id AS id FROM (
        SELECT l.enterprise_id, l.started_on,
               row_number() OVER (PARTITION BY l.enterprise_id ORDER BY l.started_on, l.id) AS n
        FROM registry_liaison l
    ) c
    WHERE c.n > 1 AND c.started_on >= %(changes_since)s
    GROUP BY c.enterprise_id HAVING count(*) >= %(changes_count)s
    """,
)

# A change of legal representative or address made in the window (the registry's history,
# each update compared with the event before it) that the current liaison has not been
# verified since. When it was made: the one clock's time in the change's context
# (registry.services.changes_by), not the database's stamp on the event.
MAJOR_CHANGE = Rule(
    kinds.MAJOR_CHANGE,
    """
    SELECT DISTINCT ev.pgh_obj_id AS id
    FROM registry_enterpriseevent ev
    JOIN LATERAL (
        SELECT p.legal_representative, p.registered_address, p.operating_address
        FROM registry_enterpriseevent p
        WHERE p.pgh_obj_id = ev.pgh_obj_id AND p.pgh_id < ev.pgh_id
        ORDER BY p.pgh_id DESC LIMIT 1
    ) prev ON true
    CROSS JOIN LATERAL (SELECT {changed_at} AS at) changed
    LEFT JOIN registry_liaison l ON l.enterprise_id = ev.pgh_obj_id AND l.ended_on IS NULL
    WHERE ev.pgh_label = 'update' AND changed.at >= %(major_since)s
      AND (ev.legal_representative IS DISTINCT FROM prev.legal_representative
           OR ev.registered_address IS DISTINCT FROM prev.registered_address
           OR ev.operating_address IS DISTINCT FROM prev.operating_address)
      AND (l.last_verified_at IS NULL OR l.last_verified_at < changed.at)
    """.format(changed_at=changed_at_sql("ev")),
    ContactAttempt.Channel.PHONE,
)

RULES = (STALE_LIAISON, PHONE_MISMATCH, NOT_IN_SERVICE, FREQUENT_CHANGES, MAJOR_CHANGE)


def _notes() -> dict[str, str]:
    return {
        kinds.STALE_LIAISON: _(
            "The liaison's details have not been updated or verified for a long time: confirm them."
        ),
        kinds.PHONE_MISMATCH: _(
            "The annual-report phone differs from the registered phone: find out which is right."
        ),
        kinds.NOT_IN_SERVICE: _(
            "The liaison's number was reported not in service: find the liaison another way."
        ),
        kinds.FREQUENT_CHANGES: _(
            "The liaison changed several times within a year: check why (compliance attention)."
        ),
        kinds.MAJOR_CHANGE: _("The enterprise reported a major change: verify the liaison."),
    }


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same wall-clock time on the same day ``months`` calendar months earlier in the
    park (the month's last day if shorter): the park's calendar, not UTC's."""
    local = clock.local(moment)
    day = clock.months_back(local.date(), months)
    return local.replace(year=day.year, month=day.month, day=day.day)


def _parameters(rules: RuleSettings, now: datetime.datetime) -> dict:
    return {
        "stale_before": months_before(now, rules.stale_liaison_months),
        "reported_before": now - datetime.timedelta(days=rules.not_in_service_days),
        "successes": sorted(ContactAttempt.Outcome.successes()),
        "changes_since": months_before(now, rules.frequent_changes_months).date(),
        "now": now,
        "changes_count": rules.frequent_changes_count,
        "major_since": now - datetime.timedelta(days=rules.major_change_days),
    }


@dataclass(frozen=True)
class RuleResult:
    kind: str
    opened: int
    closed: int


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
) -> int:
    """Open a task of ``kind`` for every enterprise selected by the SQL ``holds`` (column
    ``id``) that has none open and is not deregistered: one INSERT … SELECT, assigned to the
    grid's worker as outreach assigns (outreach.services.tasks), created at ``now``."""
    cursor.execute(
        f"""
        WITH {grid_workers_cte()}
        INSERT INTO outreach_task (
            enterprise_id, kind, source, status, assignee_id, due_on, suggested_channel,
            note, created_at, close_note)
        SELECT e.id, %(kind)s, 'rule', 'open', w.ids[1 + e.id %% cardinality(w.ids)],
               %(due_on)s, %(channel)s, %(note)s, %(now)s, ''
        FROM registry_enterprise e
        JOIN (SELECT DISTINCT id FROM ({holds}) selected) h ON h.id = e.id
        LEFT JOIN workers w ON w.gridarea_id = e.grid_id
        WHERE e.status <> 'deregistered'
        ON CONFLICT {ONE_OPEN_CONFLICT} DO NOTHING
        """,
        {**params, "kind": kind, "channel": channel, "note": note, "due_on": due_on, "now": now},
    )
    return cursor.rowcount


def _hold(cursor, rule: Rule, params: dict) -> None:
    """The rule's enterprises into the temporary table ``rule_holds``, computed once for
    both the closing and the opening, with statistics for the planner."""
    cursor.execute("TRUNCATE rule_holds")
    cursor.execute(
        f"""
        INSERT INTO rule_holds (id)
        SELECT DISTINCT e.id FROM ({rule.condition}) h
        JOIN registry_enterprise e ON e.id = h.id AND e.status <> 'deregistered'
        """,
        params,
    )
    cursor.execute("ANALYZE rule_holds")


def _close(cursor, rule: Rule, params: dict) -> int:
    cursor.execute(
        """
        UPDATE outreach_task t
        SET status = 'done', closed_at = %(now)s, close_note = %(closing)s
        WHERE t.kind = %(kind)s AND t.status = 'open'
          AND NOT EXISTS (SELECT 1 FROM rule_holds h WHERE h.id = t.enterprise_id)
        """,
        {**params, "kind": rule.kind},
    )
    return cursor.rowcount


def _open(cursor, rule: Rule, params: dict) -> int:
    return tasks_open_where(
        cursor,
        kind=rule.kind,
        holds="SELECT id FROM rule_holds",
        params=params,
        note=params["note"],
        channel=rule.suggested_channel,
        due_on=params["due_on"],
        now=params["now"],
    )


def rules_sweep(*, now: datetime.datetime | None = None) -> list[RuleResult]:
    """Run every rule over the whole registry: open what holds, close what cleared, as of
    ``now`` (default: the one clock)."""
    now = now or clock.now()
    results = []
    # Task notes are stored text: written in the park's language, not a request's.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        rule_settings = RuleSettings.current()
        base = _parameters(rule_settings, now)
        base["due_on"] = clock.today(now) + datetime.timedelta(days=rule_settings.task_due_days)
        base["closing"] = _("The rule's condition no longer holds.")
        notes = _notes()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [SWEEP_LOCK])
            cursor.execute("DROP TABLE IF EXISTS rule_holds")
            cursor.execute("CREATE TEMP TABLE rule_holds (id bigint PRIMARY KEY) ON COMMIT DROP")
            for rule in RULES:
                params = {**base, "note": notes[rule.kind]}
                _hold(cursor, rule, params)
                closed = _close(cursor, rule, params)
                opened = _open(cursor, rule, params)
                results.append(RuleResult(rule.kind, opened=opened, closed=closed))
    return results
