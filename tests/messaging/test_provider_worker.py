"""The SMS providers with REAL worker processes (tests/workers.py) against the providers'
local stand-ins: a campaign of 1,000 goes out through approved templates, a refusal stops
it, and a worker killed mid-send sends nothing twice (the stand-in, like the provider,
recognises the client reference)."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db.models import Count
from django.test import override_settings

from outreach.messaging import backends, refusals, services
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from registry.models import Enterprise, Liaison
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.messaging.campaigns import ALWAYS_OPEN, campaign_send
from tests.messaging.conftest import wait_for
from tests.messaging.providers import start_provider
from tests.messaging.test_worker import _sweep_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = OutboxMessage.Status
PROVIDERS = ["aliyun", "tencent"]


def _statuses() -> dict[str, int]:
    return dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")))


def _park(grid, n: int) -> None:
    enterprises = Enterprise.objects.bulk_create(
        [EnterpriseFactory.build(grid=grid, name=f"园区测试企业{i:04d}") for i in range(n)]
    )
    Liaison.objects.bulk_create(
        [
            LiaisonFactory.build(enterprise=e, name=f"联络员{i:04d}", mobile=f"1391{i:07d}")
            for i, e in enumerate(enterprises)
        ]
    )


def _campaign(by, running):
    with override_settings(**running.settings()):
        backends._sms_backend = None
        try:
            return campaign_send(
                name="国庆问候",
                kind="holiday",
                template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
                filters=EnterpriseFilters(grid="A"),
                by=by,
            )
        finally:
            backends._sms_backend = None


@pytest.fixture
def running_provider(request):
    running = start_provider(request.param)
    yield running
    running.stand_in.stop()


@pytest.mark.parametrize("running_provider", PROVIDERS, indirect=True)
def test_a_campaign_of_1000_goes_out_through_templates_via_a_worker(
    running_provider, grid_a, staff_user, start_worker
):
    _park(grid_a, 1000)
    running_provider.approve_all()
    campaign = _campaign(staff_user, running_provider)
    assert campaign.recipients == 1000
    worker = start_worker(**running_provider.env, OUTBOX_BATCH_SIZE="100")
    _sweep_until(worker, lambda: _statuses() == {"sent": 1000}, timeout=240, what="all sent")

    deliveries = running_provider.stand_in.deliveries
    keys = set(OutboxMessage.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert sorted(d.reference for d in deliveries) == sorted(f"outbox-{pk}" for pk in keys)
    template = MessageTemplate.objects.get(key="holiday-greeting-sms")
    assert {d.template for d in deliveries} == {running_provider.code_for(template)}
    first = OutboxMessage.objects.select_related("liaison").get(gateway_id=deliveries[0].message_id)
    values = {"enterprise": first.enterprise.name, "liaison": first.liaison.name}
    if running_provider.name == "aliyun":
        assert deliveries[0].params == values
    else:
        assert deliveries[0].params == [values["enterprise"], values["liaison"]]


@pytest.mark.parametrize("running_provider", PROVIDERS, indirect=True)
def test_a_refusal_stops_the_campaign_in_the_worker_and_a_resume_sends_the_rest(
    running_provider, grid_a, staff_user, admin_user, start_worker
):
    _park(grid_a, 60)
    running_provider.approve_all()
    codes = {"aliyun": "isv.AMOUNT_NOT_ENOUGH", "tencent": "AuthFailure.SecretIdNotFound"}
    running_provider.stand_in.script(codes[running_provider.name])
    campaign = _campaign(staff_user, running_provider)
    worker = start_worker(**running_provider.env, OUTBOX_BATCH_SIZE="20")
    _sweep_until(
        worker,
        lambda: (
            Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.STOPPED
            and _statuses() == {"held": 60}
        ),
        timeout=60,
        what="the campaign stopped and its rows held",
    )
    assert running_provider.stand_in.requests == 1
    assert not running_provider.stand_in.deliveries

    running_provider.stand_in.reset()
    # The resume queues the held rows at once only within the sending window.
    with override_settings(**running_provider.settings(), **ALWAYS_OPEN):
        backends._sms_backend = None
        refusals.campaign_resume(campaign=Campaign.objects.get(pk=campaign.pk), by=admin_user)
        backends._sms_backend = None
    _sweep_until(worker, lambda: _statuses() == {"sent": 60}, timeout=60, what="all sent")
    assert len(running_provider.stand_in.deliveries) == 60


@pytest.mark.parametrize("running_provider", PROVIDERS, indirect=True)
def test_a_worker_killed_mid_send_sends_nothing_twice_against_the_provider(
    running_provider, grid_a, start_worker
):
    for i in range(4):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=f"测试企业{i}"))
    running_provider.approve_all()
    ids = [
        services.message_enqueue(enterprise=e, template="general-reminder-sms", purpose="t").pk
        for e in Enterprise.objects.all()
    ]
    # The provider answers 2 s after delivering: the kill lands between the delivery and the
    # worker marking the message sent, the worst moment.
    running_provider.stand_in.delay = 2
    env = {**running_provider.env, "OUTBOX_BATCH_SIZE": "1", "OUTBOX_LEASE_SECONDS": "3"}
    first = start_worker(**env)
    first.drain()
    wait_for(lambda: len(running_provider.stand_in.deliveries) == 1, what="the first delivery")
    first.kill()
    assert _statuses().get(Status.SENDING) == 1, "the kill must land mid-send"

    running_provider.stand_in.delay = 0
    second = start_worker(**env)
    _sweep_until(second, lambda: _statuses() == {"sent": 4}, timeout=90, what="all sent")

    delivered = running_provider.stand_in.delivered_references()
    assert sorted(delivered) == sorted(f"outbox-{pk}" for pk in ids)  # each exactly once
    [retaken] = OutboxMessage.objects.filter(attempts=2)
    assert delivered[0] == retaken.idempotency_key
    # The retry got the first delivery's id back: a receipt for it finds the row.
    assert retaken.gateway_id == running_provider.stand_in.deliveries[0].message_id


@pytest.mark.parametrize("module", ["aliyun_sms", "tencent_sms"])
def test_a_stand_in_runs_as_its_own_process_and_is_scripted_over_http(module):
    process = subprocess.Popen(
        [sys.executable, "-m", f"tests.standins.{module}", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = process.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:")
        request = urllib.request.Request(
            f"{endpoint}/_standin/script",
            data=json.dumps({"code": "isv.MOBILE_NUMBER_ILLEGAL", "number": "1"}).encode(),
            method="POST",
        )
        assert json.load(urllib.request.urlopen(request, timeout=5)) == {"ok": True}
        started = time.monotonic()
        deliveries = json.load(urllib.request.urlopen(f"{endpoint}/_standin/deliveries", timeout=5))
        assert deliveries == [] and time.monotonic() - started < 5
    finally:
        process.kill()
        process.wait(timeout=10)
