"""An undeliverable message lands in the contact log as a failed attempt on its channel."""

import pytest

from outreach.messaging import services
from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db


def test_a_number_the_gateway_refuses_is_logged_as_not_in_service(enterprise_a, gateway):
    gateway.refuse.add("13912345678")
    message = services.message_enqueue(
        enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
    )
    services.outbox_drain(max_seconds=10)

    [attempt] = ContactAttempt.objects.filter(enterprise=enterprise_a)
    message.refresh_from_db()
    assert attempt.channel == ContactAttempt.Channel.SMS
    assert attempt.outcome == ContactAttempt.Outcome.NOT_IN_SERVICE
    assert attempt.liaison == enterprise_a.current_liaison
    assert attempt.by is None  # the system, not a person
    assert attempt.occurred_at == message.failed_at
    assert f"#{message.pk}" in attempt.note


def test_a_bounced_email_is_logged_as_bounced_on_the_letter_channel(grid_a, gateway):
    enterprise = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=enterprise, email="gone@example.com")
    message = services.message_enqueue(
        enterprise=enterprise, template="annual-report-email", purpose="t"
    )
    services.outbox_drain(max_seconds=10)
    assert not ContactAttempt.objects.filter(enterprise=enterprise).exists()  # it was sent

    services.message_bounce_record(message=message, detail="550 mailbox unavailable")

    [attempt] = ContactAttempt.objects.filter(enterprise=enterprise)
    assert (attempt.channel, attempt.outcome) == ("letter", "bounced")


def test_a_message_delivered_or_given_up_logs_no_attempt(enterprise_a, gateway):
    services.message_enqueue(enterprise=enterprise_a, template="general-reminder-sms", purpose="t")
    services.outbox_drain(max_seconds=10)
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert not ContactAttempt.objects.exists()
