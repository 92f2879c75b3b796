"""The desk's share of the retention run's SQL (the step: outreach.matters.retention): a
matter's requester — their name, phone and e-mail address, on the matter, in its texts, in
its steps' notes and in the answer the outbox sent them — is erased once the matter ended
longer ago than the notice's period (``LIAISON_RETENTION_YEARS``), and at once when the
requester was a liaison the run erases. The matter itself stays, with its category, states,
times and rating: the desk's counts do not change.

A matter has ended when it is no longer open; its end is when it was closed, else rated, else
answered (``ENDED``). ``past_keeping_reference`` is the ORM twin of the choice, held equal by
tests/outreach/matters/test_sql.py.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from outreach.matters.models import Matter, MatterAttachment, MatterStep
from outreach.messaging.models import OutboxMessage
from registry.sql import Table

if TYPE_CHECKING:
    from registry.retention import RetentionScope

ANSWER_PURPOSE = "matter_answer"
OPEN = [str(state) for state in Matter.OPEN_STATES]
# A one-character name ("王") would erase that character everywhere in the texts.
NAME_MIN = 2


def _past_keeping(liaisons: str = "") -> str:
    """The ids of the matters whose requester goes: ended before %(before)s, or (with
    ``liaisons``, a table of erased liaisons' ids) brought by one of those liaisons."""
    m = Table(Matter, "m")
    by_erased = f" OR {m.liaison} IN (SELECT id FROM {liaisons})" if liaisons else ""
    return f"""SELECT {m.id} FROM {m}
        WHERE ({m.state} <> ALL(%(open)s)
               AND COALESCE({m.closed_at}, {m.rated_at}, {m.answered_at}) < %(before)s)
              {by_erased}"""


def past_keeping(cursor, *, before: datetime.datetime) -> set[int]:
    """The matters ended before ``before`` (the choice of ``requesters_erase``)."""
    cursor.execute(_past_keeping(), {"open": OPEN, "before": before})
    return {row[0] for row in cursor.fetchall()}


def past_keeping_reference(*, before: datetime.datetime) -> QuerySet[Matter]:
    return (
        Matter.objects.exclude(state__in=OPEN)
        .annotate(ended=Coalesce("closed_at", "rated_at", "answered_at"))
        .filter(Q(ended__lt=before))
    )


def attachments_erase(cursor, scope: RetentionScope, *, before: datetime.datetime) -> list[str]:
    """Delete the files brought with the matters past keeping (the same choice as
    ``requesters_erase``: a photo of a letter or an ID card is the requester's as much as their
    name); returns the storage names, deleted by the run once it has committed."""
    a = Table(MatterAttachment, "a")
    cursor.execute(
        f"""DELETE FROM {a} WHERE {a.matter} IN ({_past_keeping(scope.liaisons)})
        RETURNING {a.file}""",
        {"open": OPEN, "before": before},
    )
    return [row[0] for row in cursor.fetchall()]


def _without(column: str, t: Table) -> str:
    """``column`` with the row's requester's name (long enough), phone and e-mail replaced
    by %(erased)s; replace() with an empty value changes nothing."""
    name = t.requester_name
    name = f"CASE WHEN char_length({name}) >= {NAME_MIN} THEN {name} ELSE '' END"
    text = column
    for value in (name, t.requester_phone, t.requester_email):
        text = f"replace({text}, {value}, %(erased)s)"
    return text


def requesters_erase(cursor, scope: RetentionScope, *, before: datetime.datetime) -> dict[str, int]:
    """Erase the requesters of the matters past keeping (module docstring); returns how many
    matters, steps and outbox messages changed. A second run finds nothing left."""
    t = Table(Matter, "t")
    cursor.execute(
        f"""WITH gone AS ({_past_keeping(scope.liaisons)}),
        erased AS (
            SELECT {t.id}, {t.number}, {t.requester_name} AS name, {t.requester_phone} AS phone,
                   {t.requester_email} AS email
            FROM {t} JOIN gone ON gone.id = {t.id}
            WHERE {t.requester_name} NOT IN ('', %(erased)s)
               OR {t.requester_phone} <> '' OR {t.requester_email} <> ''
            FOR UPDATE OF t
        )
        UPDATE {t} SET
            {t:requester_name} = CASE WHEN {t.requester_name} = '' THEN '' ELSE %(erased)s END,
            {t:requester_phone} = '',
            {t:requester_email} = '',
            {t:description} = {_without(t.description, t)},
            {t:answer} = {_without(t.answer, t)},
            {t:next_step} = {_without(t.next_step, t)}
        FROM erased WHERE erased.id = {t.id}
        RETURNING {t.id}, erased.number, erased.name, erased.phone, erased.email""",
        {"open": OPEN, "before": before, "erased": scope.erased},
    )
    rows = cursor.fetchall()
    return {
        "matters": len(rows),
        "matter_steps": _steps_erase(cursor, rows, erased=scope.erased),
        "matter_answers": _answers_erase(cursor, rows, erased=scope.erased),
    }


def _steps_erase(cursor, rows: list[tuple], *, erased: str) -> int:
    """The erased values in those matters' step notes (an answer is quoted in its step)."""
    if not rows:
        return 0
    s = Table(MatterStep, "s")
    cursor.execute(
        f"""WITH v(id, name, phone, email) AS (
            SELECT * FROM unnest(%(ids)s::bigint[], %(names)s::text[], %(phones)s::text[],
                                 %(emails)s::text[]))
        UPDATE {s} SET {s:note} = replace(replace(replace({s.note},
                CASE WHEN char_length(v.name) >= {NAME_MIN} THEN v.name ELSE '' END, %(erased)s),
                v.phone, %(erased)s), v.email, %(erased)s)
        FROM v WHERE {s.matter} = v.id
          AND ((char_length(v.name) >= {NAME_MIN} AND strpos({s.note}, v.name) > 0)
               OR (v.phone <> '' AND strpos({s.note}, v.phone) > 0)
               OR (v.email <> '' AND strpos({s.note}, v.email) > 0))""",
        {
            "ids": [row[0] for row in rows],
            "names": [row[2] for row in rows],
            "phones": [row[3] for row in rows],
            "emails": [row[4] for row in rows],
            "erased": erased,
        },
    )
    return cursor.rowcount


def _answers_erase(cursor, rows: list[tuple], *, erased: str) -> int:
    """The answers the outbox sent to a requester who was not a liaison (a liaison's own
    messages follow the liaison's period: outreach.sql.retention): their address, text and
    values go, their status and times stay. Found by the matter's number among the values."""
    if not rows:
        return 0
    o = Table(OutboxMessage, "o")
    cursor.execute(
        f"""UPDATE {o} SET {o:to} = '', {o:subject} = '', {o:body} = %(erased)s,
            {o:error} = '', {o:params} = '{{}}'::jsonb
        WHERE {o.liaison} IS NULL AND {o.purpose} = %(purpose)s
          AND {o.params} ->> 'matter_number' = ANY(%(numbers)s) AND {o.body} <> %(erased)s""",
        {"numbers": [row[1] for row in rows], "purpose": ANSWER_PURPOSE, "erased": erased},
    )
    return cursor.rowcount
