"""Outreach's share of the retention run (registry.retention): the texts of ours that quote
a liaison or an emergency contact whose data is erased — the outbox (addresses and message
texts), self-service links (a successor's name and mobile), contact-log notes and task
notes."""

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt, Task
from outreach.selfservice.models import SelfServiceLink
from registry.retention import RetentionScope, StepResult, text_erase


def _table(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def erase_outreach_texts(cursor, scope: RetentionScope) -> StepResult:
    outbox, links = _table(OutboxMessage), _table(SelfServiceLink)
    # Messages to an erased liaison: the address and the whole text go (the text also held
    # their personal link), and so do the template values it was made of (their name);
    # their status and times stay for the campaign's counts.
    cursor.execute(
        f"""UPDATE {outbox} AS t
        SET "to" = '', subject = '', body = %(erased)s, error = '', params = '{{}}'::jsonb
        FROM {scope.liaisons} r WHERE t.liaison_id = r.id AND t.body <> %(erased)s""",
        {"erased": scope.erased},
    )
    messages = cursor.rowcount
    messages += text_erase(cursor, scope, table=outbox, columns=("to", "subject", "body", "error"))
    cursor.execute(
        f"""UPDATE {links} AS t SET successor_name = '', successor_mobile = ''
        FROM {scope.liaisons} r
        WHERE t.liaison_id = r.id AND (t.successor_name <> '' OR t.successor_mobile <> '')"""
    )
    links_changed = cursor.rowcount
    links_changed += text_erase(
        cursor, scope, table=links, columns=("successor_name", "successor_mobile")
    )
    return StepResult(
        counts={
            "outbox_messages": messages,
            "selfservice_links": links_changed,
            "contact_attempts": text_erase(
                cursor, scope, table=_table(ContactAttempt), columns=("note",)
            ),
            "tasks": text_erase(cursor, scope, table=_table(Task), columns=("note", "close_note")),
        }
    )
