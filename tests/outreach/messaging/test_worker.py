"""The outbox's guarantees with REAL worker processes: a worker killed mid-send loses no
message and sends none twice; with the broker down the pages work and the outbox drains
once a worker can be reached again."""

import time

import pytest
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from liaison_portal.celery import app
from outreach.messaging import services
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from registry.models import Enterprise
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import ALWAYS_OPEN
from tests.outreach.messaging.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = OutboxMessage.Status
RECORDING = "outreach.messaging.backends.FileRecordingSmsBackend"


def _statuses() -> dict[str, int]:
    return dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")))


def _deliveries(path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _sweep_until(worker, condition, *, timeout: float, what: str) -> None:
    """What beat does every minute, every two seconds: ask the worker to drain the outbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.drain()
        try:
            wait_for(condition, timeout=2, what=what)
            return
        except AssertionError:
            continue
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    grid_a, start_worker, tmp_path
):
    for i in range(4):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=f"测试企业{i}"))
    ids = [
        services.message_enqueue(enterprise=e, template="general-reminder-sms", purpose="t").pk
        for e in Enterprise.objects.all()
    ]
    record = tmp_path / "deliveries.log"
    gateway = {
        "SMS_BACKEND": RECORDING,
        "SMS_RECORD_FILE": str(record),
        # The gateway answers 2 s after delivering: the kill lands between the delivery and
        # the worker marking the message sent, the worst moment.
        "SMS_SEND_DELAY": "2",
        "OUTBOX_BATCH_SIZE": "1",
        "OUTBOX_LEASE_SECONDS": "3",
    }

    first = start_worker(**gateway)
    first.drain()
    wait_for(lambda: len(_deliveries(record)) == 1, what="the first delivery")
    first.kill()
    assert _statuses().get(Status.SENDING) == 1, "the kill must land mid-send"

    second = start_worker(**{**gateway, "SMS_SEND_DELAY": "0"})
    _sweep_until(second, lambda: _statuses() == {"sent": 4}, timeout=90, what="all sent")

    delivered = _deliveries(record)
    assert sorted(delivered) == sorted(f"outbox-{pk}" for pk in ids)  # each exactly once
    # The message the dead worker held was taken back after its lease, sent again under the
    # same key, and the gateway did not deliver it a second time.
    [retaken] = OutboxMessage.objects.filter(attempts=2)
    assert delivered[0] == retaken.idempotency_key


@pytest.fixture
def broker_down():
    """Point this process's Celery app at a closed port (nothing listens on port 1 of
    loopback), as if Redis were down. Calling the fixture's value brings it back."""
    saved = app.conf.broker_url, app.conf.broker_transport_options

    def _use(url, options):
        app.conf.broker_url = url
        app.conf.broker_transport_options = options
        app._pool = None
        app.amqp._producer_pool = None

    _use("redis://127.0.0.1:1/0", {})
    restore = lambda: _use(*saved)  # noqa: E731
    yield restore
    restore()


def test_with_the_broker_down_the_page_works_and_a_worker_drains_later(
    client, staff_user, grid_a, start_worker, tmp_path, broker_down
):
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="甲区一号"))
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="甲区二号"))
    client.force_login(staff_user)
    template = MessageTemplate.objects.get(key="holiday-greeting-sms")

    client.post(
        reverse("messaging:campaign_new"),
        {"name": "国庆问候", "kind": "holiday", "template": template.pk, "grid": "A"},
    )
    campaign = Campaign.objects.get()
    started = time.monotonic()
    with override_settings(**ALWAYS_OPEN):  # confirmed "now", whatever the hour
        response = client.post(
            reverse("messaging:campaign_confirm", args=[campaign.pk]), follow=True
        )
    assert time.monotonic() - started < 5, "the page must not hang on the broker"
    assert response.status_code == 200
    assert "国庆问候" in response.content.decode()
    assert _statuses() == {"queued": 2}

    broker_down()  # the broker is back
    record = tmp_path / "deliveries.log"
    worker = start_worker(SMS_BACKEND=RECORDING, SMS_RECORD_FILE=str(record))
    _sweep_until(worker, lambda: _statuses() == {"sent": 2}, timeout=60, what="both sent")
    assert len(_deliveries(record)) == 2
