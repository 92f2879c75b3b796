"""Outreach's share of the retention run's SQL (registry.retention; the steps:
outreach.retention, outreach.messaging.inbound.retention): what an erased liaison leaves in
outreach's own tables. The passages that quote an erased person go through the registry's
``text_erase``."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from outreach.messaging.inbound.models import InboundSms
from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt, Task, VisitEvidence
from outreach.selfservice.models import SelfServiceLink
from registry.sql import Table
from registry.sql.retention import text_erase

if TYPE_CHECKING:
    from registry.retention import RetentionScope


def messages_to_erased(cursor, scope: RetentionScope) -> int:
    """Messages to an erased liaison: the address and the whole text go (the text also held
    their personal link), and so do the template values it was made of (their name); their
    status and times stay for the campaign's counts. Then the passages in the others."""
    t = Table(OutboxMessage, "t")
    cursor.execute(
        f"""UPDATE {t}
        SET {t:to} = '', {t:subject} = '', {t:body} = %(erased)s, {t:error} = '',
            {t:params} = '{{}}'::jsonb
        FROM {scope.liaisons} r WHERE {t.liaison} = r.id AND {t.body} <> %(erased)s""",
        {"erased": scope.erased},
    )
    return cursor.rowcount + text_erase(
        cursor, scope, table=t, columns=("to", "subject", "body", "error")
    )


def links_of_erased(cursor, scope: RetentionScope) -> int:
    """The successor an erased liaison named in their links; then the passages in others."""
    t = Table(SelfServiceLink, "t")
    cursor.execute(
        f"""UPDATE {t} SET {t:successor_name} = '', {t:successor_mobile} = ''
        FROM {scope.liaisons} r
        WHERE {t.liaison} = r.id AND ({t.successor_name} <> '' OR {t.successor_mobile} <> '')"""
    )
    return cursor.rowcount + text_erase(
        cursor, scope, table=t, columns=("successor_name", "successor_mobile")
    )


def notes_erase(cursor, scope: RetentionScope) -> dict[str, int]:
    """The passages in contact-log and task notes."""
    return {
        "contact_attempts": text_erase(
            cursor, scope, table=Table(ContactAttempt, "t"), columns=("note",)
        ),
        "tasks": text_erase(cursor, scope, table=Table(Task, "t"), columns=("note", "close_note")),
    }


def sms_replies_erase(cursor, scope: RetentionScope) -> int:
    """A reply from an erased liaison loses its number and text; replies of the same
    enterprise that quote an erased person lose that passage."""
    t = Table(InboundSms, "t")
    cursor.execute(
        f"""UPDATE {t} SET {t:mobile} = '', {t:text} = %(erased)s
        FROM {scope.liaisons} r WHERE {t.liaison} = r.id AND {t.text} <> %(erased)s""",
        {"erased": scope.erased},
    )
    return cursor.rowcount + text_erase(cursor, scope, table=t, columns=("mobile", "text"))


def visit_evidence_erase(cursor, *, before: datetime.datetime) -> list[str]:
    """Empty the photo and location of visits before ``before`` (the visit, its outcome and
    notes stay); returns the photos' storage names, to delete after the commit."""
    e, a, t = Table(VisitEvidence, "e"), Table(ContactAttempt, "a"), Table(VisitEvidence, "t")
    cursor.execute(
        f"""WITH old AS (
            SELECT {e.attempt} AS id, {e.photo} AS photo
            FROM {e} JOIN {a} ON {a.id} = {e.attempt}
            WHERE {a.occurred_at} < %(before)s
              AND ({e.photo} <> '' OR {e.latitude} IS NOT NULL)
            FOR UPDATE OF e)
        UPDATE {t} SET {t:photo} = '', {t:photo_name} = '', {t:photo_type} = '',
            {t:latitude} = NULL, {t:longitude} = NULL, {t:accuracy_m} = NULL
        FROM old WHERE {t.attempt} = old.id RETURNING old.photo""",
        {"before": before},
    )
    return [name for (name,) in cursor.fetchall()]
