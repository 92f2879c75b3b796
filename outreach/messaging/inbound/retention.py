"""The retention run's share of SMS replies (registry.retention, registered in
OutreachConfig.ready): a reply from an erased liaison loses its number and text; replies
of the same enterprise that quote an erased person lose that passage."""

from django.db import connection

from outreach.messaging.inbound.models import InboundSms
from registry.retention import RetentionScope, StepResult, text_erase


def erase_sms_replies(cursor, scope: RetentionScope) -> StepResult:
    table = connection.ops.quote_name(InboundSms._meta.db_table)
    cursor.execute(
        f"""UPDATE {table} AS t SET mobile = '', text = %(erased)s
        FROM {scope.liaisons} r WHERE t.liaison_id = r.id AND t.text <> %(erased)s""",
        {"erased": scope.erased},
    )
    replies = cursor.rowcount
    replies += text_erase(cursor, scope, table=table, columns=("mobile", "text"))
    return StepResult(counts={"sms_replies": replies})
