"""The rules that create work, as SQL conditions over the whole registry (which rules, their
thresholds and the sweep: monitoring.services.rules). Each condition selects the enterprise
ids (column ``id``) for which the rule holds, with %(name)s parameters; beside each, its
reference version in Python over the ORM's rows, held equal by tests/monitoring/test_sql.py.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import F

from monitoring import kinds
from outreach.models import ContactAttempt
from registry.models import Enterprise, Liaison
from registry.sql import Table
from registry.sql.history import changed_at, changed_at_sql, event_model

# The temporary table of one sweep: the enterprises for which the rule at hand holds.
HOLDS = "rule_holds"
_DEREGISTERED = Enterprise.Status.DEREGISTERED.value


def _current(liaisons) -> dict[int, Liaison]:
    return {liaison.enterprise_id: liaison for liaison in liaisons.filter(ended_on=None)}


def stale_liaison() -> str:
    """Liaison details neither updated nor verified since ``stale_before``."""
    l = Table(Liaison, "l")  # noqa: E741
    return f"""
    SELECT {l.enterprise} AS id FROM {l}
    WHERE {l.ended_on} IS NULL
      AND greatest({l.last_verified_at}, {l.updated_at}) < %(stale_before)s
    """


def stale_liaison_reference(params: dict) -> set[int]:
    return {
        liaison.enterprise_id
        for liaison in _current(Liaison.objects).values()
        if max(filter(None, (liaison.last_verified_at, liaison.updated_at)))
        < params["stale_before"]
    }


def phone_mismatch() -> str:
    """Both phones known and different (the normalised forms: PhoneField stores them
    canonical)."""
    e = Table(Enterprise, "e")
    return f"""
    SELECT {e.id} FROM {e}
    WHERE {e.annual_report_phone} <> '' AND {e.registered_phone} <> ''
      AND {e.annual_report_phone} <> {e.registered_phone}
    """


def phone_mismatch_reference(params: dict) -> set[int]:
    enterprises = (
        Enterprise.objects.exclude(annual_report_phone="")
        .exclude(registered_phone="")
        .exclude(annual_report_phone=F("registered_phone"))
    )
    return set(enterprises.values_list("pk", flat=True))


def not_in_service() -> str:
    """The current liaison's number was reported not in service by ``reported_before``, and
    nobody has been reached since."""
    a, l = Table(ContactAttempt, "a"), Table(Liaison, "l")  # noqa: E741
    s = Table(ContactAttempt)
    return f"""
    SELECT DISTINCT {a.enterprise} AS id
    FROM {a}
    JOIN {l} ON {l.id} = {a.liaison} AND {l.ended_on} IS NULL
    LEFT JOIN (
        SELECT {s.enterprise} AS enterprise_id, max({s.occurred_at}) AS at FROM {s}
        WHERE {s.outcome} = ANY(%(successes)s) GROUP BY {s.enterprise}
    ) ok ON ok.enterprise_id = {a.enterprise}
    WHERE {a.outcome} = '{ContactAttempt.Outcome.NOT_IN_SERVICE.value}'
      AND {a.occurred_at} <= %(reported_before)s
      AND (ok.at IS NULL OR ok.at < {a.occurred_at})
    """


def not_in_service_reference(params: dict) -> set[int]:
    current = {liaison.pk for liaison in _current(Liaison.objects).values()}
    reached: dict[int, datetime.datetime] = {}
    for attempt in ContactAttempt.objects.filter(outcome__in=params["successes"]):
        reached[attempt.enterprise_id] = max(
            attempt.occurred_at, reached.get(attempt.enterprise_id, attempt.occurred_at)
        )
    reports = ContactAttempt.objects.filter(
        outcome=ContactAttempt.Outcome.NOT_IN_SERVICE,
        occurred_at__lte=params["reported_before"],
        liaison__in=current,
    )
    return {
        report.enterprise_id
        for report in reports
        if report.enterprise_id not in reached or reached[report.enterprise_id] < report.occurred_at
    }


def frequent_changes() -> str:
    """``changes_count`` or more changes of liaison (a liaison starting after the
    enterprise's first) since ``changes_since``."""
    l = Table(Liaison, "l")  # noqa: E741
    return f"""
    SELECT c.enterprise_id AS id FROM (
        SELECT {l.enterprise} AS enterprise_id, {l.started_on} AS started_on,
               row_number() OVER (PARTITION BY {l.enterprise} ORDER BY {l.started_on}, {l.id}) AS n
        FROM {l}
    ) c
    WHERE c.n > 1 AND c.started_on >= %(changes_since)s
    GROUP BY c.enterprise_id HAVING count(*) >= %(changes_count)s
    """


def frequent_changes_reference(params: dict) -> set[int]:
    by_enterprise = defaultdict(list)
    for liaison in Liaison.objects.order_by("started_on", "pk"):
        by_enterprise[liaison.enterprise_id].append(liaison)
    return {
        pk
        for pk, liaisons in by_enterprise.items()
        if sum(later.started_on >= params["changes_since"] for later in liaisons[1:])
        >= params["changes_count"]
    }


def major_change() -> str:
    """A change of legal representative or address made since ``major_since`` (the
    registry's history, each update compared with the event before it) that the current
    liaison has not been verified since. When it was made: the one clock's time in the
    change's context (registry.sql.history.changed_at_sql), not the database's stamp."""
    ev, p = Table(event_model(Enterprise), "ev"), Table(event_model(Enterprise), "p")
    l = Table(Liaison, "l")  # noqa: E741
    fields = ("legal_representative", "registered_address", "operating_address")
    return f"""
    SELECT DISTINCT {ev.pgh_obj} AS id
    FROM {ev}
    JOIN LATERAL (
        SELECT {", ".join(f"{getattr(p, name)} AS {name}" for name in fields)}
        FROM {p}
        WHERE {p.pgh_obj} = {ev.pgh_obj} AND {p.pgh_id} < {ev.pgh_id}
        ORDER BY {p.pgh_id} DESC LIMIT 1
    ) prev ON true
    CROSS JOIN LATERAL (SELECT {changed_at_sql(ev)} AS at) changed
    LEFT JOIN {l} ON {l.enterprise} = {ev.pgh_obj} AND {l.ended_on} IS NULL
    WHERE {ev.pgh_label} = 'update' AND changed.at >= %(major_since)s
      AND ({" OR ".join(f"{getattr(ev, name)} IS DISTINCT FROM prev.{name}" for name in fields)})
      AND ({l.last_verified_at} IS NULL OR {l.last_verified_at} < changed.at)
    """


def major_change_reference(params: dict) -> set[int]:
    fields = ("legal_representative", "registered_address", "operating_address")
    current = _current(Liaison.objects)
    previous, found = {}, set()
    events = event_model(Enterprise).objects.select_related("pgh_context").order_by("pgh_id")
    for event in events:
        before = previous.get(event.pgh_obj_id)
        previous[event.pgh_obj_id] = event
        if event.pgh_label != "update" or before is None:
            continue
        at = changed_at(event)
        verified = getattr(current.get(event.pgh_obj_id), "last_verified_at", None)
        if (
            at >= params["major_since"]
            and any(getattr(event, f) != getattr(before, f) for f in fields)
            and (verified is None or verified < at)
        ):
            found.add(event.pgh_obj_id)
    return found


# kind -> (condition, reference)
CONDITIONS = {
    kinds.STALE_LIAISON: (stale_liaison, stale_liaison_reference),
    kinds.PHONE_MISMATCH: (phone_mismatch, phone_mismatch_reference),
    kinds.NOT_IN_SERVICE: (not_in_service, not_in_service_reference),
    kinds.FREQUENT_CHANGES: (frequent_changes, frequent_changes_reference),
    kinds.MAJOR_CHANGE: (major_change, major_change_reference),
}


def sweep_begin(cursor, *, lock: str) -> None:
    """One sweep at a time (a transaction-level advisory lock on ``lock``), and the empty
    ``HOLDS`` table it fills per rule (dropped at commit)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock])
    cursor.execute(f"DROP TABLE IF EXISTS {HOLDS}")
    cursor.execute(f"CREATE TEMP TABLE {HOLDS} (id bigint PRIMARY KEY) ON COMMIT DROP")


def hold(cursor, condition: str, params: dict) -> None:
    """The enterprises (not deregistered) for which ``condition`` holds into ``HOLDS``,
    computed once for both the closing and the opening, with statistics for the planner."""
    e = Table(Enterprise, "e")
    cursor.execute(f"TRUNCATE {HOLDS}")
    cursor.execute(
        f"""
        INSERT INTO {HOLDS} (id)
        SELECT DISTINCT {e.id} FROM ({condition}) h
        JOIN {e} ON {e.id} = h.id AND {e.status} <> '{_DEREGISTERED}'
        """,
        params,
    )
    cursor.execute(f"ANALYZE {HOLDS}")
