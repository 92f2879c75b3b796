"""A campaign's progress from the counters the database keeps (outreach.sql.campaign_counts):
equal to the count over its messages after every kind of move, for every scope (issue 22)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.messaging import leasing, refusals, services
from outreach.messaging.counts import campaign_counts_rebuild
from outreach.messaging.inbound.payloads import Receipt
from outreach.messaging.inbound.receipts import receipts_record
from outreach.messaging.models import CampaignCount, MessageTemplate, OutboxMessage
from outreach.messaging.selectors import campaign_progress, campaign_progress_scan
from registry import clock
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory, UserFactory
from tests.outreach.messaging.campaigns import campaign_send

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


@pytest.fixture
def campaign(staff_user, grid_a, grid_b):
    for grid in (grid_a, grid_b, grid_a, grid_b, grid_a, grid_b, grid_a):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid))
    LiaisonFactory(enterprise=EnterpriseFactory(grid=None))  # in no grid
    return campaign_send(
        name="台风预警",
        kind="weather",
        template=MessageTemplate.objects.get(key="severe-weather-sms"),
        filters=EnterpriseFilters(),
        by=staff_user,
    )


def _assert_parity(campaign, users):
    for user in users:
        assert campaign_progress(campaign=campaign, user=user) == campaign_progress_scan(
            campaign=campaign, user=user
        ), user.username


def test_the_counters_equal_the_count_after_every_kind_of_move(
    campaign, staff_user, worker_a, worker_b, grid_a, grid_b
):
    nobody = UserFactory(username="no_role_here")
    users = (staff_user, worker_a, worker_b, nobody)
    messages = OutboxMessage.objects.filter(campaign=campaign).order_by("pk")
    assert messages.count() == 8
    _assert_parity(campaign, users)

    claimed = services.outbox_claim(limit=5)  # a claim: queued → sending, in one statement
    _assert_parity(campaign, users)
    first, second, third, fourth, fifth = claimed
    leasing.mark_sent(first, gateway_id="g-1")
    leasing.mark_sent(second, gateway_id="g-2")
    leasing.mark_failed(third, detail="空号")
    leasing.retry_later(fourth, detail="超时")  # back to queued
    refusals.message_hold(message=fifth)
    _assert_parity(campaign, users)

    # A delivery receipt for a sent message (and one repeated: counted once).
    receipt = Receipt(
        out_id=f"outbox-{first.pk}",
        gateway_id="g-1",
        mobile=first.to,
        delivered=True,
        code="DELIVRD",
        detail="",
        at=clock.now(),
    )
    receipts_record(receipts=[receipt, receipt])
    _assert_parity(campaign, users)
    assert campaign_progress(campaign=campaign, user=staff_user).delivered == 1

    # Bulk writes of any shape: a set-based UPDATE, a model's full save, raw SQL, a delete.
    messages.filter(status=Status.QUEUED).update(status=Status.SKIPPED)
    resumed = OutboxMessage.objects.get(pk=fifth.pk)
    resumed.status = Status.QUEUED
    resumed.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {OutboxMessage._meta.db_table} SET status = 'queued', delivered_at = NULL "
            "WHERE id = %s",
            [first.pk],
        )
    OutboxMessage.objects.filter(pk=second.pk).delete()
    _assert_parity(campaign, users)

    # An enterprise moves grid: its messages' counts follow it, for both grid workers.
    moved = third.enterprise
    moved.grid = grid_b if moved.grid_id == grid_a.pk else grid_a
    moved.save()
    _assert_parity(campaign, users)

    # A statement that moves no count (a lease) leaves the counters alone.
    before = list(CampaignCount.objects.order_by("pk").values())
    messages.update(lease_until=clock.now())
    assert list(CampaignCount.objects.order_by("pk").values()) == before

    # The rebuild gives the same counts.
    campaign_counts_rebuild()
    _assert_parity(campaign, users)


def test_the_progress_is_one_query_over_the_counters(campaign, staff_user, worker_a):
    for user in (staff_user, worker_a):
        with CaptureQueriesContext(connection) as queries:
            campaign_progress(campaign=campaign, user=user)
        sql = [q["sql"] for q in queries]
        assert len([q for q in sql if CampaignCount._meta.db_table in q]) == 1
        assert not [q for q in sql if OutboxMessage._meta.db_table in q]


def test_a_rebuild_recounts_counters_gone_wrong(campaign, staff_user):
    right = campaign_progress(campaign=campaign, user=staff_user)
    CampaignCount.objects.update(messages=99)
    assert campaign_progress(campaign=campaign, user=staff_user) != right
    assert campaign_counts_rebuild() > 0
    assert campaign_progress(campaign=campaign, user=staff_user) == right


def test_emptying_the_outbox_empties_the_counters(campaign):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {OutboxMessage._meta.db_table} CASCADE")
    assert not CampaignCount.objects.exists()


def test_the_poll_pages_recipients_by_the_counters(client, campaign, staff_user):
    from django.urls import reverse

    client.force_login(staff_user)
    url = reverse("messaging:campaign", args=[campaign.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"status": "queued"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 8
    assert response.context["page"].paginator.count == 8
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if OutboxMessage._meta.db_table in sql]
