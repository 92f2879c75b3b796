"""Outreach's share of the retention run (registry.retention): the texts of ours that quote
a liaison or an emergency contact whose data is erased — the outbox (addresses and message
texts), self-service links (a successor's name and mobile), contact-log notes and task
notes. The statements: outreach.sql.retention."""

from outreach.sql import retention as sql
from registry.retention import RetentionScope, StepResult


def erase_outreach_texts(cursor, scope: RetentionScope) -> StepResult:
    return StepResult(
        counts={
            "outbox_messages": sql.messages_to_erased(cursor, scope),
            "selfservice_links": sql.links_of_erased(cursor, scope),
            **sql.notes_erase(cursor, scope),
        }
    )
