"""The rules that create work, as SQL conditions over the whole registry (which rules, their
thresholds and the sweep: monitoring.services.rules). Each condition selects the enterprise
ids (column ``id``) for which the rule holds, with %(name)s parameters; beside each, its
reference version in Python over the ORM's rows, held equal by tests/monitoring/test_sql.py.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict

from django.db.models import F

from monitoring import kinds
from monitoring.models import MobileRegion
from monitoring.regions import PREFIX_LENGTH, mobile_province, prefix_province
from outreach.models import ContactAttempt, Task
from registry import annual_reports
from registry.models import AnnualReport, Enterprise, Liaison
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
    """Changes of liaison (a liaison starting after the enterprise's first) since
    ``changes_since`` weighing ``changes_count`` or more. A change weighs 1, plus
    ``region_weight`` when the new liaison's ID number is from another province than the
    previous one's (its region code's first two digits), plus ``region_weight`` when the new
    mobile's home province (MobileRegion, the phonenumbers geocoder) differs from the previous
    mobile's: successive liaisons from different regions call for attention sooner (002).
    Unknown on either side weighs nothing extra."""
    l, r = Table(Liaison, "l"), Table(MobileRegion, "r")  # noqa: E741
    return f"""
    SELECT c.enterprise_id AS id FROM (
        SELECT {l.enterprise} AS enterprise_id, {l.started_on} AS started_on,
               row_number() OVER w AS n,
               nullif(left({l.id_number}, 2), '') AS id_region,
               lag(nullif(left({l.id_number}, 2), '')) OVER w AS id_region_before,
               nullif({r.province}, '') AS mobile_region,
               lag(nullif({r.province}, '')) OVER w AS mobile_region_before
        FROM {l} LEFT JOIN {r} ON {r.prefix} = left({l.mobile}, {PREFIX_LENGTH})
        WINDOW w AS (PARTITION BY {l.enterprise} ORDER BY {l.started_on}, {l.id})
    ) c
    WHERE c.n > 1 AND c.started_on >= %(changes_since)s
    GROUP BY c.enterprise_id
    HAVING sum(
        1 + CASE WHEN c.id_region <> c.id_region_before THEN %(region_weight)s ELSE 0 END
          + CASE WHEN c.mobile_region <> c.mobile_region_before THEN %(region_weight)s ELSE 0 END
    ) >= %(changes_count)s
    """


def _moved(before: str, after: str) -> bool:
    return bool(before and after and before != after)


def frequent_changes_reference(params: dict) -> set[int]:
    by_enterprise = defaultdict(list)
    for liaison in Liaison.objects.order_by("started_on", "pk"):
        by_enterprise[liaison.enterprise_id].append(liaison)
    found = set()
    for pk, liaisons in by_enterprise.items():
        weight = 0
        for before, later in itertools.pairwise(liaisons):
            if later.started_on < params["changes_since"]:
                continue
            weight += 1
            if _moved(before.id_number[:2], later.id_number[:2]):
                weight += params["region_weight"]
            if _moved(mobile_province(before.mobile), mobile_province(later.mobile)):
                weight += params["region_weight"]
        if weight >= params["changes_count"]:
            found.add(pk)
    return found


# What the major-change rule watches (002 动态数据监控: a change of legal representative,
# executives, business scope or address often comes with a new liaison), and what the
# compliance-attention rule watches (a change of control behind it).
MAJOR_FIELDS = (
    "legal_representative",
    "executives",
    "business_scope",
    "registered_address",
    "operating_address",
)
CONTROL_FIELDS = ("beneficial_owner", "tax_residency")


def _changes(fields: tuple[str, ...]) -> str:
    """Each update of the registry's history that changed one of ``fields`` (compared with the
    event before it): columns ``id`` (the enterprise) and ``at``. When it was made: the one
    clock's time in the change's context (registry.sql.history.changed_at_sql), not the
    database's stamp."""
    ev, p = Table(event_model(Enterprise), "ev"), Table(event_model(Enterprise), "p")
    return f"""
    SELECT {ev.pgh_obj} AS id, changed.at AS at
    FROM {ev}
    JOIN LATERAL (
        SELECT {", ".join(f"{getattr(p, name)} AS {name}" for name in fields)}
        FROM {p}
        WHERE {p.pgh_obj} = {ev.pgh_obj} AND {p.pgh_id} < {ev.pgh_id}
        ORDER BY {p.pgh_id} DESC LIMIT 1
    ) prev ON true
    CROSS JOIN LATERAL (SELECT {changed_at_sql(ev)} AS at) changed
    WHERE {ev.pgh_label} = 'update'
      AND ({" OR ".join(f"{getattr(ev, name)} IS DISTINCT FROM prev.{name}" for name in fields)})
    """


def _changes_reference(fields: tuple[str, ...]) -> list[tuple[int, datetime.datetime]]:
    previous, found = {}, []
    events = event_model(Enterprise).objects.select_related("pgh_context").order_by("pgh_id")
    for event in events:
        before = previous.get(event.pgh_obj_id)
        previous[event.pgh_obj_id] = event
        if event.pgh_label != "update" or before is None:
            continue
        if any(getattr(event, f) != getattr(before, f) for f in fields):
            found.append((event.pgh_obj_id, changed_at(event)))
    return found


def _unverified_major_changes(since: str) -> str:
    """Major changes made since the parameter ``since`` that the current liaison has not been
    verified since."""
    l = Table(Liaison, "l")  # noqa: E741
    return f"""
    SELECT DISTINCT c.id FROM ({_changes(MAJOR_FIELDS)}) c
    LEFT JOIN {l} ON {l.enterprise} = c.id AND {l.ended_on} IS NULL
    WHERE c.at >= %({since})s
      AND ({l.last_verified_at} IS NULL OR {l.last_verified_at} < c.at)
    """


def _unverified_major_changes_reference(since: datetime.datetime) -> set[int]:
    current = _current(Liaison.objects)
    found = set()
    for pk, at in _changes_reference(MAJOR_FIELDS):
        verified = getattr(current.get(pk), "last_verified_at", None)
        if at >= since and (verified is None or verified < at):
            found.add(pk)
    return found


def major_change() -> str:
    """A change of legal representative, executives, business scope or either address made
    since ``major_since`` that the current liaison has not been verified since."""
    return _unverified_major_changes("major_since")


def major_change_reference(params: dict) -> set[int]:
    return _unverified_major_changes_reference(params["major_since"])


def dead_number_major_change() -> str:
    """Both at once (002: a number dead for a week while the business scope was being
    changed): the not-in-service rule holds and a major change the liaison was not verified
    since was made within ``dead_major_since``. One urgent task replaces the two
    (monitoring.services.rules: the two rules step aside while it is open).

    From the few recent major changes to their attempts (index probes), rather than the
    not-in-service rule's pass over the whole contact log: "nobody reached since" is "no
    success at or after the report", which is the rule's "the last success is older"."""
    a, s, l = Table(ContactAttempt, "a"), Table(ContactAttempt, "s"), Table(Liaison, "l")  # noqa: E741
    return f"""
    SELECT m.id FROM ({_unverified_major_changes("dead_major_since")}) m
    WHERE EXISTS (
        SELECT 1 FROM {a}
        JOIN {l} ON {l.id} = {a.liaison} AND {l.ended_on} IS NULL
        WHERE {a.enterprise} = m.id
          AND {a.outcome} = '{ContactAttempt.Outcome.NOT_IN_SERVICE.value}'
          AND {a.occurred_at} <= %(reported_before)s
          AND NOT EXISTS (
            SELECT 1 FROM {s}
            WHERE {s.enterprise} = m.id AND {s.outcome} = ANY(%(successes)s)
              AND {s.occurred_at} >= {a.occurred_at}
          )
    )
    """


def dead_number_major_change_reference(params: dict) -> set[int]:
    return not_in_service_reference(params) & _unverified_major_changes_reference(
        params["dead_major_since"]
    )


def control_change() -> str:
    """The beneficial owner or the tax residency changed since ``major_since`` and nobody has
    closed a compliance-attention task opened since (a person's "done" ends it; a later
    change starts it again)."""
    t = Table(Task, "t")
    return f"""
    SELECT DISTINCT c.id FROM ({_changes(CONTROL_FIELDS)}) c
    WHERE c.at >= %(major_since)s
      AND NOT EXISTS (
        SELECT 1 FROM {t}
        WHERE {t.enterprise} = c.id AND {t.kind} = '{kinds.CONTROL_CHANGE}'
          AND {t.status} = '{Task.Status.DONE.value}' AND {t.created_at} >= c.at
      )
    """


def control_change_reference(params: dict) -> set[int]:
    done = defaultdict(list)
    for task in Task.objects.filter(kind=kinds.CONTROL_CHANGE, status=Task.Status.DONE):
        done[task.enterprise_id].append(task.created_at)
    return {
        pk
        for pk, at in _changes_reference(CONTROL_FIELDS)
        if at >= params["major_since"] and not any(created >= at for created in done[pk])
    }


def annual_report_missing() -> str:
    """From 1 July (``annual_report_overdue``), no filed annual report for the year before
    (``annual_report_year``): 企业信息公示暂行条例 art. 8, due by 30 June. Only enterprises in
    the registry before that year ended (``annual_report_year_end``): the registry knows no
    founding date, and a park that starts using the portal is not told that every
    enterprise missed a report it has not yet recorded."""
    e, a = Table(Enterprise, "e"), Table(AnnualReport, "a")
    return f"""
    SELECT {e.id} FROM {e}
    WHERE %(annual_report_overdue)s AND {e.created_at} < %(annual_report_year_end)s
      AND NOT EXISTS (
        SELECT 1 FROM {a}
        WHERE {a.enterprise} = {e.id} AND {a.year} = %(annual_report_year)s AND {a.filed}
      )
    """


def annual_report_missing_reference(params: dict) -> set[int]:
    return set(
        annual_reports.overdue_non_filers(Enterprise.objects, params["today"]).values_list(
            "pk", flat=True
        )
    )


# kind -> (condition, reference)
CONDITIONS = {
    kinds.STALE_LIAISON: (stale_liaison, stale_liaison_reference),
    kinds.PHONE_MISMATCH: (phone_mismatch, phone_mismatch_reference),
    kinds.NOT_IN_SERVICE: (not_in_service, not_in_service_reference),
    kinds.FREQUENT_CHANGES: (frequent_changes, frequent_changes_reference),
    kinds.MAJOR_CHANGE: (major_change, major_change_reference),
    kinds.DEAD_NUMBER_MAJOR_CHANGE: (dead_number_major_change, dead_number_major_change_reference),
    kinds.CONTROL_CHANGE: (control_change, control_change_reference),
    kinds.ANNUAL_REPORT_MISSING: (annual_report_missing, annual_report_missing_reference),
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


def hold_aside(cursor, *, kind: str, superseded_by: str, now: datetime.datetime, note: str) -> int:
    """A rule that steps aside for an open task of ``superseded_by``: its open tasks on those
    enterprises close with ``note`` (merged), and those enterprises leave ``HOLDS``, so it
    opens none there. Returns how many closed."""
    t, o = Table(Task, "t"), Table(Task, "o")
    cursor.execute(
        f"""
        UPDATE {t}
        SET {t:status} = %(done)s, {t:closed_at} = %(now)s, {t:close_note} = %(note)s
        WHERE {t.kind} = %(kind)s AND {t.status} = %(open)s
          AND EXISTS (
            SELECT 1 FROM {o} WHERE {o.enterprise} = {t.enterprise}
              AND {o.kind} = %(superseded_by)s AND {o.status} = %(open)s
          )
        """,
        {
            "done": Task.Status.DONE,
            "open": Task.Status.OPEN,
            "now": now,
            "note": note,
            "kind": kind,
            "superseded_by": superseded_by,
        },
    )
    closed = cursor.rowcount
    cursor.execute(
        f"""
        DELETE FROM {HOLDS} h USING {o}
        WHERE {o.enterprise} = h.id AND {o.kind} = %(superseded_by)s AND {o.status} = %(open)s
        """,
        {"superseded_by": superseded_by, "open": Task.Status.OPEN},
    )
    return closed


def mobile_regions_fill(cursor, params: dict) -> int:
    """Geocode the mobile blocks the frequent-changes rule compares and ``MobileRegion`` lacks:
    those of the liaisons of enterprises whose liaison changed since ``changes_since`` (a
    handful on a park; each block once, ever). Returns how many were added."""
    l, n, r = Table(Liaison, "l"), Table(Liaison, "n"), Table(MobileRegion, "r")  # noqa: E741
    cursor.execute(
        f"""
        SELECT DISTINCT left({l.mobile}, {PREFIX_LENGTH}) FROM {l}
        WHERE {l.enterprise} IN (
            SELECT {n.enterprise} FROM {n} GROUP BY {n.enterprise}
            HAVING count(*) > 1 AND max({n.started_on}) >= %(changes_since)s
        )
          AND length({l.mobile}) >= {PREFIX_LENGTH}
          AND NOT EXISTS (SELECT 1 FROM {r} WHERE {r.prefix} = left({l.mobile}, {PREFIX_LENGTH}))
        """,
        {"changes_since": params["changes_since"]},
    )
    rows = [(prefix, prefix_province(prefix)) for (prefix,) in cursor.fetchall()]
    if rows:
        table = Table(MobileRegion)
        cursor.executemany(
            f"INSERT INTO {table} ({table:prefix,province}) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            rows,
        )
    return len(rows)
