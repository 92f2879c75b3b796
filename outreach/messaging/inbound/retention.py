"""The retention run's share of SMS replies (registry.retention, registered in
OutreachConfig.ready): a reply from an erased liaison loses its number and text; replies
of the same enterprise that quote an erased person lose that passage (the statement:
outreach.sql.retention)."""

from outreach.sql.retention import sms_replies_erase
from registry.retention import RetentionScope, StepResult


def erase_sms_replies(cursor, scope: RetentionScope) -> StepResult:
    return StepResult(counts={"sms_replies": sms_replies_erase(cursor, scope)})
