"""The new liaisons' welcome in a few statements, whatever their number (what and why:
outreach.selfservice.welcome): the claim that makes it once, and its contacts.

Reference: ``welcomes_reference`` says through the ORM which liaisons a claim welcomes;
tests/outreach/test_sql.py holds the two equal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.selfservice.models import LiaisonWelcome
from registry.models import Liaison
from registry.sql import Table


def welcomes_claim(
    cursor, *, liaison_ids: list[int], door: str, now: datetime.datetime
) -> list[tuple[int, int]]:
    """Claim the welcome of each of these liaisons that is still current and was never
    welcomed: (liaison id, enterprise id) of those claimed. The unique liaison makes a
    second claim, at once or later, claim nothing; rows are claimed in id order, so two
    claims at once wait for each other instead of deadlocking."""
    w, l = Table(LiaisonWelcome), Table(Liaison, "l")  # noqa: E741
    cursor.execute(
        f"""
        INSERT INTO {w} ({w:liaison,enterprise,door,created_at})
        SELECT {l.id}, {l.enterprise}, %s, %s
        -- A join, not "= ANY(array)": with 100k ids that is a hash join, not a scan of the
        -- array for every liaison.
        FROM unnest(%s::bigint[]) AS given(id)
        JOIN {l} ON {l.id} = given.id
        WHERE {l.ended_on} IS NULL
        ORDER BY {l.id}
        ON CONFLICT ({w:liaison}) DO NOTHING
        RETURNING {w:liaison,enterprise}
        """,
        [door, now, list(liaison_ids)],
    )
    return cursor.fetchall()


def unwelcomed_since(cursor, *, since: datetime.datetime) -> list[int]:
    """The current liaisons created at or after ``since`` that were never welcomed (the
    catch-up's candidates), in id order."""
    w, l = Table(LiaisonWelcome, "w"), Table(Liaison, "l")  # noqa: E741
    cursor.execute(
        f"""
        SELECT {l.id} FROM {l}
        WHERE {l.ended_on} IS NULL AND {l.created_at} >= %s
          AND NOT EXISTS (SELECT 1 FROM {w} WHERE {w.liaison} = {l.id})
        ORDER BY {l.id}
        """,
        [since],
    )
    return [row[0] for row in cursor.fetchall()]


def welcomes_reference(liaison_ids: Iterable[int]) -> set[int]:
    """``welcomes_claim`` through the ORM: the liaisons it would claim."""
    return set(
        Liaison.objects.filter(pk__in=list(liaison_ids), ended_on__isnull=True)
        .exclude(pk__in=LiaisonWelcome.objects.values("liaison"))
        .values_list("pk", flat=True)
    )


def welcome_attempts_write(
    cursor, *, liaison_ids: list[int], purpose: str, note: str, by_id, now: datetime.datetime
) -> int:
    """The contact log's first entry of each welcomed liaison whose welcome is on its way
    (not a "not sent" row): an SMS sent, no answer awaited (``Outcome.SENT``, which the
    light leaves out). What ``contact_attempt_record`` writes for one such attempt, less
    what an SMS that asks nothing cannot do: it answers no task and reaches nobody."""
    a, o = Table(ContactAttempt), Table(OutboxMessage, "o")
    cursor.execute(
        f"""
        INSERT INTO {a} ({a:enterprise,liaison,channel,outcome,occurred_at,note,verified,by},
                         {a:created_at})
        SELECT {o.enterprise}, {o.liaison}, %s, %s, %s, %s, FALSE, %s, %s
        FROM unnest(%s::bigint[]) AS welcomed(id)
        JOIN {o} ON {o.liaison} = welcomed.id
        WHERE {o.purpose} = %s AND {o.status} <> %s
        ORDER BY {o.id}
        """,
        [
            ContactAttempt.Channel.SMS,
            ContactAttempt.Outcome.SENT,
            now,
            note,
            by_id,
            now,
            list(liaison_ids),
            purpose,
            OutboxMessage.Status.SKIPPED,
        ],
    )
    return cursor.rowcount
