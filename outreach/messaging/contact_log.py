"""An undeliverable message is a failed attempt to reach the liaison (issue 5: "a permanent
failure is logged as a failed contact attempt on that channel").

Connected in OutreachConfig.ready. It runs inside the transaction that marks the message
failed, so the attempt (and whatever a higher app does on `attempt_recorded`, such as the
monitor's light) commits or rolls back with the mark.
"""

from django.utils.translation import gettext

from outreach.messaging.models import STAFF_NOTICE_PURPOSES, Channel, OutboxMessage
from outreach.models import ContactAttempt
from outreach.services import contact_attempt_record

# An SMS gateway refusing the number, or a delivery receipt of 空号 / 停机, is what staff
# call "not in service"; the monitor's "number not in service for 7 days" rule reads exactly
# that outcome. A blacklisted number refuses our SMS (it unsubscribed or complained).
_SMS_OUTCOMES = {
    OutboxMessage.Problem.INVALID_ADDRESS: ContactAttempt.Outcome.NOT_IN_SERVICE,
    OutboxMessage.Problem.EMPTY_NUMBER: ContactAttempt.Outcome.NOT_IN_SERVICE,
    OutboxMessage.Problem.SUSPENDED_NUMBER: ContactAttempt.Outcome.NOT_IN_SERVICE,
    OutboxMessage.Problem.BLACKLISTED: ContactAttempt.Outcome.REFUSED,
}


def _outcome(message: OutboxMessage) -> str:
    if message.channel == Channel.SMS and message.problem in _SMS_OUTCOMES:
        return _SMS_OUTCOMES[message.problem]
    return ContactAttempt.Outcome.BOUNCED


# A campaign's test to its sender's own phone or e-mail (campaign_controls.TEST_PURPOSE) and
# the portal's notices to staff: not a contact with the enterprise they are filed under.
NOT_A_CONTACT = frozenset({"campaign-test"}) | STAFF_NOTICE_PURPOSES


def record_undeliverable_message(sender, *, message: OutboxMessage, channel: str, **_kwargs):
    if message.purpose in NOT_A_CONTACT:
        return
    # A message to no liaison went to someone else at their own address (a matter's
    # requester: message_enqueue's ``recipient``): its failure tells nothing of whether the
    # liaison can be reached, so it must not count against the enterprise's light.
    if message.liaison_id is None:
        return
    liaison = message.liaison
    if liaison.enterprise_id != message.enterprise_id:
        liaison = None
    contact_attempt_record(
        enterprise=message.enterprise,
        channel=(
            ContactAttempt.Channel.SMS if channel == Channel.SMS else ContactAttempt.Channel.LETTER
        ),
        outcome=_outcome(message),
        by=None,
        liaison=liaison,
        note=gettext("Outbox message #%(id)s could not be delivered: %(problem)s")
        % {"id": message.pk, "problem": message.get_problem_display()},
        occurred_at=message.failed_at,
    )
