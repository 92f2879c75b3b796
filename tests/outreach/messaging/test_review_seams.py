"""Review of #15: the seams between the parts built apart (refusals × sending window)."""

import datetime

import pytest
import time_machine

from outreach.messaging import refusals
from outreach.messaging.models import Campaign, OutboxMessage
from tests.outreach.messaging.test_campaign_controls import (  # noqa: F401 (the park fixture)
    PARK,
    TUESDAY_10,
    _confirm,
    _draft,
    park,
)

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
TUESDAY_20 = datetime.datetime(2026, 12, 1, 20, 0, tzinfo=PARK)
WEDNESDAY_09 = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=PARK)


def _stopped(campaign):
    """What the provider's refusal leaves (refusals.provider_refusal_record)."""
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.STOPPED)
    OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED).update(
        status=Status.HELD, problem=OutboxMessage.Problem.PROVIDER_REFUSED
    )
    campaign.refresh_from_db()
    return campaign


@pytest.mark.usefixtures("park")
def test_a_greeting_resumed_in_the_evening_waits_for_the_next_window(staff_user, admin_user):
    campaign = _stopped(_confirm(_draft(staff_user)))  # confirmed Tuesday 10:00, in the window
    with time_machine.travel(TUESDAY_20):
        refusals.campaign_resume(campaign=campaign, by=admin_user)
    rows = OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED)
    assert rows.count() == 2
    assert {m.next_attempt_at for m in rows} == {WEDNESDAY_09}
    with time_machine.travel(TUESDAY_20 + datetime.timedelta(minutes=1)):
        from outreach.messaging import services

        assert services.outbox_claim(limit=10) == []


@pytest.mark.usefixtures("park")
def test_a_campaigns_retry_waits_for_the_window_a_single_message_does_not(staff_user):
    """Nothing but an urgent kind goes out outside the window, retries included: an hour's
    throttle at 17:10 (or a backoff ending at 20:00) goes out the next working morning."""
    from outreach.messaging import services

    campaign = _confirm(_draft(staff_user))  # confirmed Tuesday 10:00, in the window
    first = OutboxMessage.objects.filter(campaign=campaign).order_by("id").first()
    with time_machine.travel(TUESDAY_20 - datetime.timedelta(hours=3, minutes=50)):  # 16:10
        [claimed, *_] = services.outbox_claim(limit=10)
        services._retry_later(
            claimed, detail="throttled", retry_at=TUESDAY_20 - datetime.timedelta(hours=2)
        )
    claimed.refresh_from_db()
    assert claimed.next_attempt_at == WEDNESDAY_09  # 18:00 is outside: the next morning

    # A message of no campaign (a self-service code) retries when the provider allows.
    single = OutboxMessage.objects.create(
        enterprise=first.enterprise,
        channel="sms",
        to="13900000000",
        body="验证码",
        purpose="self-service-code",
        status=Status.SENDING,
        attempts=1,
        lease_until=TUESDAY_20,
    )
    with time_machine.travel(TUESDAY_20 - datetime.timedelta(hours=1)):
        services._retry_later(single, detail="throttled", retry_at=TUESDAY_20)
    single.refresh_from_db()
    assert single.next_attempt_at == TUESDAY_20
