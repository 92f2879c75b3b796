"""The yearly recognition's proposal in one statement, whatever the registry's size (the
rules and why: outreach.recognition.rules): every liaison who held the role at the end of
the year, with the reasons they are not proposed (none: proposed).

Dates come as parameters (the year's bounds and periods by the one clock), never the
database's now(). Reference: ``proposal_reference`` computes the same through the ORM;
tests/outreach/test_sql.py holds the two equal.
"""

from __future__ import annotations

import datetime
import itertools

from django.apps import apps

from outreach.models import ContactAttempt
from outreach.recognition import rules
from registry.models import Enterprise, Liaison
from registry.sql import Table
from registry.sql.history import changed_at, changed_at_sql, event_model


def proposal(
    cursor,
    *,
    year: int,
    months_by_tier: dict[str, int],
    attended: set[int] | None,
) -> list[tuple[int, int, list[str]]]:
    """(liaison id, enterprise id, reasons) of every liaison current on 31 December of
    ``year``, in liaison id order. ``months_by_tier``: each tier's contact period;
    ``attended``: the liaisons who attended an event in the year (None: not a rule)."""
    start, end = rules.year_bounds(year)
    last_day = datetime.date(year, 12, 31)
    periods = rules.periods(year)
    l, e, a = Table(Liaison, "l"), Table(Enterprise, "e"), Table(ContactAttempt, "a")  # noqa: E741
    ev = Table(event_model(Liaison), "ev")
    ctx = Table(apps.get_model("pghistory", "Context"), "ctx")
    fields = ", ".join(getattr(ev, name) for name in rules.CORRECTED_FIELDS)
    sql = f"""
        WITH tiers(tier, months) AS (SELECT * FROM unnest(%(tiers)s::text[], %(months)s::int[])),
        periods(months, p_start, p_end) AS (
            SELECT * FROM unnest(%(p_months)s::int[], %(p_starts)s::timestamptz[],
                                 %(p_ends)s::timestamptz[])
        ),
        cand AS (
            SELECT {l.id} AS id, {l.enterprise} AS enterprise, {l.started_on} AS started_on,
                   t.months
            FROM {l} JOIN {e} ON {e.id} = {l.enterprise}
            JOIN tiers t ON t.tier = {e.tier}
            WHERE {l.started_on} <= %(last_day)s
              AND ({l.ended_on} IS NULL OR {l.ended_on} > %(last_day)s)
        ),
        -- The year's counted attempts of each candidate's enterprise, each with whether the
        -- one before it failed too (a streak of rules.STREAK = 2).
        counted AS (
            SELECT {a.enterprise} AS enterprise, {a.outcome} = ANY(%(successes)s) AS ok,
                   lag({a.outcome} = ANY(%(successes)s)) OVER (
                       PARTITION BY {a.enterprise} ORDER BY {a.occurred_at}, {a.id}) AS prev_ok
            FROM {a}
            WHERE {a.enterprise} IN (SELECT enterprise FROM cand)
              AND {a.occurred_at} >= %(start)s AND {a.occurred_at} < %(end)s
              AND NOT ({a.outcome} = ANY(%(uncounted)s))
        ),
        streaks AS (SELECT DISTINCT enterprise FROM counted WHERE NOT ok AND prev_ok = false),
        -- Each history event of a candidate with the corrected fields before it: a staff
        -- door's update that changed them, in the year, is a correction.
        events AS (
            SELECT {ev.pgh_obj} AS liaison, {ev.pgh_label} AS label,
                   {ctx.metadata} ->> 'door' AS door, {changed_at_sql(ev)} AS at,
                   ROW({fields}) AS now_row,
                   lag(ROW({fields})) OVER (PARTITION BY {ev.pgh_obj} ORDER BY {ev.pgh_id})
                       AS before_row
            FROM {ev} LEFT JOIN {ctx} ON {ctx.id} = {ev.pgh_context}
            WHERE {ev.pgh_obj} IN (SELECT id FROM cand)
        ),
        corrected AS (
            SELECT DISTINCT liaison FROM events
            WHERE label = 'update' AND door = %(staff)s AND at >= %(start)s AND at < %(end)s
              AND before_row IS NOT NULL AND now_row IS DISTINCT FROM before_row
        )
        SELECT c.id, c.enterprise, array_remove(ARRAY[
            CASE WHEN c.started_on > %(first_day)s THEN %(r_partial)s END,
            CASE WHEN EXISTS (
                SELECT 1 FROM periods p WHERE p.months = c.months AND NOT EXISTS (
                    SELECT 1 FROM {a} WHERE {a.liaison} = c.id AND {a.verified}
                      AND {a.occurred_at} >= p.p_start AND {a.occurred_at} < p.p_end))
                THEN %(r_unverified)s END,
            CASE WHEN c.enterprise IN (SELECT enterprise FROM streaks) THEN %(r_streak)s END,
            CASE WHEN c.id IN (SELECT liaison FROM corrected) THEN %(r_corrected)s END,
            CASE WHEN EXISTS (
                SELECT 1 FROM {a} WHERE {a.enterprise} = c.enterprise
                  AND {a.occurred_at} >= %(start)s AND {a.occurred_at} < %(end)s
                  AND {a.outcome} = ANY(%(stale)s)) THEN %(r_unreported)s END,
            CASE WHEN %(events_rule)s AND NOT (c.id = ANY(%(attended)s)) THEN %(r_event)s END
        ]::text[], NULL)
        FROM cand c ORDER BY c.id
    """
    cursor.execute(
        sql,
        {
            "tiers": list(months_by_tier),
            "months": list(months_by_tier.values()),
            "p_months": [p[0] for p in periods],
            "p_starts": [p[1] for p in periods],
            "p_ends": [p[2] for p in periods],
            "last_day": last_day,
            "first_day": datetime.date(year, 1, 1),
            "start": start,
            "end": end,
            "successes": list(ContactAttempt.Outcome.successes()),
            "uncounted": list(ContactAttempt.Outcome.uncounted()),
            "stale": list(rules.STALE_OUTCOMES),
            "staff": "staff",
            "events_rule": attended is not None,
            "attended": sorted(attended or ()),
            "r_partial": rules.PARTIAL_YEAR,
            "r_unverified": rules.UNVERIFIED_PERIOD,
            "r_streak": rules.FAILED_STREAK,
            "r_corrected": rules.STAFF_CORRECTION,
            "r_unreported": rules.UNREPORTED_CHANGE,
            "r_event": rules.NO_EVENT,
        },
    )
    return [(liaison, enterprise, list(reasons)) for liaison, enterprise, reasons in cursor]


def proposal_reference(
    *, year: int, months_by_tier: dict[str, int], attended: set[int] | None
) -> list[tuple[int, int, list[str]]]:
    """``proposal`` through the ORM, one liaison at a time."""
    start, end = rules.year_bounds(year)
    last_day = datetime.date(year, 12, 31)
    periods = rules.periods(year)
    Event = event_model(Liaison)
    out = []
    liaisons = (
        Liaison.objects.filter(started_on__lte=last_day)
        .exclude(ended_on__lte=last_day)
        .select_related("enterprise")
        .order_by("pk")
    )
    for liaison in liaisons:
        months = months_by_tier.get(liaison.enterprise.tier)
        if months is None:
            continue
        reasons = []
        if liaison.started_on > datetime.date(year, 1, 1):
            reasons.append(rules.PARTIAL_YEAR)
        verified = ContactAttempt.objects.filter(liaison=liaison, verified=True)
        if any(
            not verified.filter(occurred_at__gte=p_start, occurred_at__lt=p_end).exists()
            for m, p_start, p_end in periods
            if m == months
        ):
            reasons.append(rules.UNVERIFIED_PERIOD)
        in_year = ContactAttempt.objects.filter(
            enterprise_id=liaison.enterprise_id, occurred_at__gte=start, occurred_at__lt=end
        )
        oks = [
            ContactAttempt.Outcome.is_success(outcome)
            for outcome in in_year.exclude(outcome__in=ContactAttempt.Outcome.uncounted())
            .order_by("occurred_at", "id")
            .values_list("outcome", flat=True)
        ]
        if any(not before and not now for before, now in itertools.pairwise(oks)):
            reasons.append(rules.FAILED_STREAK)
        before = None
        corrected = False
        for event in (
            Event.objects.filter(pgh_obj=liaison).select_related("pgh_context").order_by("pgh_id")
        ):
            row = tuple(getattr(event, name) for name in rules.CORRECTED_FIELDS)
            door = (event.pgh_context.metadata or {}).get("door") if event.pgh_context else None
            if (
                event.pgh_label == "update"
                and door == "staff"
                and start <= changed_at(event) < end
                and before is not None
                and row != before
            ):
                corrected = True
            before = row
        if corrected:
            reasons.append(rules.STAFF_CORRECTION)
        if in_year.filter(outcome__in=rules.STALE_OUTCOMES).exists():
            reasons.append(rules.UNREPORTED_CHANGE)
        if attended is not None and liaison.pk not in attended:
            reasons.append(rules.NO_EVENT)
        out.append((liaison.pk, liaison.enterprise_id, reasons))
    return out
