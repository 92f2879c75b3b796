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


def test_the_demo_park_shows_what_liaisons_did_with_their_links(client):
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef
    from django.urls import reverse

    from outreach.models import ContactAttempt, Task
    from outreach.selfservice.models import LiaisonWelcome, SelfServiceLink

    seed_demo(enterprises=60, seed=7)
    call_command("seed_outreach_demo", "--if-empty")

    # Those staff sent (the plan may also have sent light-touch links, depending on the day;
    # the welcomes of the liaisons staff replaced carry links of their own).
    welcome = LiaisonWelcome.objects.filter(
        liaison=OuterRef("liaison"), created_at=OuterRef("created_at")
    )
    sent_by_staff = SelfServiceLink.objects.filter(created_by__username="staff").exclude(
        Exists(welcome)
    )
    states = [link.state() for link in sent_by_staff.select_related("liaison")]
    assert states.count("used") == 6 and states.count("open") == 3
    assert states.count("revoked") == 1
    assert ContactAttempt.objects.filter(channel="self_service", verified=True).count() == 5
    assert Task.objects.filter(kind="handover", source="self_service", status="open").exists()
    assert Task.objects.filter(kind="selfservice_update", status="open").exists()
    # The reported handover is waiting on its enterprise's page for staff to confirm.
    leaving = SelfServiceLink.objects.exclude(successor_name="").get()
    client.force_login(get_user_model().objects.get(username="staff"))
    page = client.get(reverse("registry:enterprise", args=[leaving.enterprise.uscc]))
    assert "confirm-handover" in page.content.decode()
