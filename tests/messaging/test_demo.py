import pytest
from django.core.management import call_command

from outreach.messaging.models import Campaign, OutboxMessage
from registry.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_park_has_a_campaign_with_sent_and_failed_messages():
    seed_demo(enterprises=60, seed=7)
    call_command("seed_outreach_demo", "--if-empty")
    call_command("seed_outreach_demo", "--if-empty")  # the second run adds nothing
    campaign = Campaign.objects.get()
    statuses = set(OutboxMessage.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert {"sent", "failed"} <= statuses
    assert "queued" not in statuses
