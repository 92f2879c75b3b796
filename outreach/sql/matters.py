"""The first-contact desk's SQL: the day's next matter number, and the reminder rules'
claims (what each rule means: outreach.matters.services.reminders)."""

from __future__ import annotations

import datetime

from django.db.models import Case, Q, QuerySet, Value, When

from outreach.matters.models import Matter, MatterDaySequence
from registry.sql import Table

# What a claim returns of each matter it claims.
_CLAIMED = ("id", "owner", "department", "state")
# Which limit an overdue matter is past (the overdue claim's fifth column).
RESPONSE, RESOLUTION = "response", "resolution"


def matter_sequence_next(cursor, *, day: datetime.date) -> int:
    """The next number of ``day``: one INSERT … ON CONFLICT DO UPDATE … RETURNING, so two
    intakes at once each get their own (the day's row lock serialises them)."""
    seq = Table(MatterDaySequence)
    cursor.execute(
        f"INSERT INTO {seq} ({seq:day,last}) VALUES (%s, 1) "
        f"ON CONFLICT ({seq:day}) DO UPDATE SET {seq:last} = {seq.db_table}.{seq:last} + 1 "
        f"RETURNING {seq:last}",
        [day],
    )
    (sequence,) = cursor.fetchone()
    return sequence


def _claim(cursor, *, sets: str, where: str, params: dict, also: str = "") -> list[tuple]:
    matter = Table(Matter)
    cursor.execute(
        f"UPDATE {matter} SET {sets} WHERE {matter.state} = ANY(%(open)s) AND {where} "
        f"RETURNING {matter:{','.join(_CLAIMED)}}{also}",
        params,
    )
    return cursor.fetchall()


def first_response_reminders_claim(
    cursor, *, open_states: list[str], now: datetime.datetime
) -> list[tuple]:
    """Clear the first-response reminder time of the open, unanswered matters whose time has
    come; (id, owner id, department id, state) of each. Reference: ``claims_reference``."""
    m = Table(Matter)
    return _claim(
        cursor,
        sets=f"{m:first_response_remind_at} = NULL",
        where=f"{m.first_response_at} IS NULL AND {m.first_response_remind_at} <= %(now)s",
        params={"open": open_states, "now": now},
    )


def resolution_reminders_claim(
    cursor, *, open_states: list[str], now: datetime.datetime
) -> list[tuple]:
    """Clear the resolution reminder time of the open matters whose time has come."""
    m = Table(Matter)
    return _claim(
        cursor,
        sets=f"{m:resolution_remind_at} = NULL",
        where=f"{m.resolution_remind_at} <= %(now)s",
        params={"open": open_states, "now": now},
    )


def overdue_claim(cursor, *, open_states: list[str], now: datetime.datetime) -> list[tuple]:
    """Flag overdue the open matters past a limit (the first response not given by its due
    time, or the resolution due), the version moved as for any write; (id, owner id,
    department id, state, which limit) of each: RESPONSE when the first response is still
    missing past its due time, else RESOLUTION (the one home of that rule: the notices say
    what this returns)."""
    m = Table(Matter)
    response_late = f"{m.first_response_at} IS NULL AND {m.first_response_due} <= %(now)s"
    return _claim(
        cursor,
        sets=f"{m:overdue} = TRUE, {m:version} = {m.version} + 1",
        where=f"NOT {m.overdue} AND ({m.resolution_due} <= %(now)s OR ({response_late}))",
        params={"open": open_states, "now": now, "response": RESPONSE, "resolution": RESOLUTION},
        also=f", CASE WHEN {response_late} THEN %(response)s ELSE %(resolution)s END",
    )


def overdue_limits_reference(*, open_states: list[str], now: datetime.datetime) -> dict:
    """Through the ORM: which limit each matter the overdue claim would take is past."""
    response_late = Q(first_response_at=None, first_response_due__lte=now)
    return dict(
        claims_reference(open_states=open_states, now=now)["overdue"]
        .annotate(limit=Case(When(response_late, then=Value(RESPONSE)), default=Value(RESOLUTION)))
        .values_list("pk", "limit")
    )


def claims_reference(*, open_states: list[str], now: datetime.datetime) -> dict[str, QuerySet]:
    """The three claims through the ORM: the matters each would claim (before any runs)."""
    matters = Matter.objects.filter(state__in=open_states)
    return {
        "first_response": matters.filter(first_response_at=None, first_response_remind_at__lte=now),
        "resolution": matters.filter(resolution_remind_at__lte=now),
        "overdue": matters.filter(overdue=False).filter(
            Q(resolution_due__lte=now) | Q(first_response_at=None, first_response_due__lte=now)
        ),
    }
