"""Outreach's share of the retention run (registry.retention): the texts of ours that quote
a liaison or an emergency contact whose data is erased — the outbox (addresses and message
texts), self-service links (a successor's name and mobile), contact-log notes and task
notes. The statements: outreach.sql.retention."""

from django.conf import settings

from outreach.sql import retention as sql
from registry import clock
from registry.retention import RetentionScope, StepResult, years_back


def erase_outreach_texts(cursor, scope: RetentionScope) -> StepResult:
    return StepResult(
        counts={
            "outbox_messages": sql.messages_to_erased(cursor, scope),
            "selfservice_links": sql.links_of_erased(cursor, scope),
            **sql.notes_erase(cursor, scope),
        }
    )


def erase_visit_evidence(cursor, scope: RetentionScope) -> StepResult:
    """A visit's photo and location (走访打卡) are evidence: kept ``EVIDENCE_KEEP_YEARS``
    after the visit like the emergency procedure's, then emptied (the visit stays)."""
    before = clock.start_of_day(years_back(clock.today(scope.now), settings.EVIDENCE_KEEP_YEARS))
    files = sql.visit_evidence_erase(cursor, before=before)
    return StepResult(counts={"visit_evidence": len(files)}, files=[f for f in files if f])
