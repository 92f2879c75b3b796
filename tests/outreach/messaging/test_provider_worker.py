"""The SMS providers with REAL worker processes (tests/workers.py) against the providers'
local stand-ins: a campaign of 1,000 goes out through approved templates and the stand-in
pushes its receipts and a reply back to the portal's live server, a refusal stops it, and a
worker killed mid-send sends nothing twice (the stand-in, like the provider, recognises the
client reference).

These tests take minutes and nothing in them depends on the date: they are marked
``dateless`` and left out of the date runs (tests/at_date.py), never out of ``make test``.
"""

import json
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db.models import Count
from django.test import override_settings

from outreach.messaging import backends, refusals, services
from outreach.messaging.inbound.models import InboundSms
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage, SmsOptOut
from outreach.models import ContactAttempt
from registry.models import Enterprise, Liaison
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import ALWAYS_OPEN, campaign_send
from tests.outreach.messaging.conftest import wait_for
from tests.outreach.messaging.providers import start_provider
from tests.outreach.messaging.test_worker import _sweep_until
from tests.standins.sms_base import Outcome

# dateless: minutes of sending, no date in any decision (left out of tests/at_date.py's runs).
pytestmark = [
    pytest.mark.integration,
    pytest.mark.dateless,
    pytest.mark.django_db(transaction=True),
]
Status, Problem = OutboxMessage.Status, OutboxMessage.Problem
PROVIDERS = ["aliyun", "tencent"]
SECRET = "s3cret-for-the-sms-pushes-0123456789abcdef"
ANSWER_OK = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


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


def _campaign(by, running, *, q: str = ""):
    """A greeting (holiday) campaign to grid A's enterprises (whose name has ``q``), created
    and confirmed to go out now."""
    with override_settings(**running.settings()):
        backends._sms_backend = None
        try:
            return campaign_send(
                name="国庆问候",
                kind="holiday",
                template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
                filters=EnterpriseFilters(grid="A", q=q),
                by=by,
            )
        finally:
            backends._sms_backend = None


@pytest.fixture
def running_provider(request):
    running = start_provider(request.param)
    yield running
    running.stand_in.stop()


def _receipt_columns() -> dict[int, tuple]:
    columns = ("status", "problem", "delivered_at", "receipt_code", "receipt_at", "failed_at")
    return {row[0]: row[1:] for row in OutboxMessage.objects.values_list("pk", *columns)}


@pytest.mark.parametrize("running_provider", PROVIDERS, indirect=True)
def test_a_campaign_of_1000_goes_out_through_templates_and_its_receipts_come_back(
    running_provider, grid_a, staff_user, start_worker, live_server, settings
):
    settings.SMS_CALLBACK_SECRET = SECRET
    stand_in = running_provider.stand_in
    _park(grid_a, 1000)
    running_provider.approve_all()
    campaign = _campaign(staff_user, running_provider)
    assert campaign.recipients == 1000
    worker = start_worker(**running_provider.env, OUTBOX_BATCH_SIZE="100")
    _sweep_until(worker, lambda: _statuses() == {"sent": 1000}, timeout=240, what="all sent")

    deliveries = stand_in.deliveries
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

    # The carriers report back: 999 delivered, one number does not exist (空号). The stand-in
    # pushes a receipt for every message it delivered to the portal's receipt address, 100
    # to a push, as the provider's push service does; the portal answers each push 200.
    empty = "13910000007"
    answers = stand_in.push_receipts(live_server.url, SECRET, {empty: Outcome("MK:0001", "空号")})
    assert answers == [(200, ANSWER_OK[running_provider.name])] * 10
    assert _statuses() == {"sent": 999, "failed": 1}
    delivered = OutboxMessage.objects.filter(campaign=campaign, status=Status.SENT)
    assert delivered.filter(delivered_at__isnull=False, receipt_at__isnull=False).count() == 999
    assert set(delivered.values_list("receipt_code", flat=True)) == {
        "DELIVERED" if running_provider.name == "aliyun" else "DELIVRD"
    }
    dead = OutboxMessage.objects.get(campaign=campaign, to=empty)
    assert (dead.status, dead.problem, dead.receipt_code) == (
        Status.FAILED,
        Problem.EMPTY_NUMBER,
        "MK:0001",
    )
    assert dead.delivered_at is None
    # Only the 空号 is a contact attempt: a failed one on SMS, on its enterprise's log.
    [attempt] = ContactAttempt.objects.all()
    assert (attempt.enterprise_id, attempt.liaison_id) == (dead.enterprise_id, dead.liaison_id)
    assert (attempt.channel, attempt.outcome) == ("sms", ContactAttempt.Outcome.NOT_IN_SERVICE)

    # The provider did not hear our answers and pushes everything again: nothing changes.
    before = _receipt_columns()
    again = stand_in.push_receipts(live_server.url, SECRET, {empty: Outcome("MK:0001", "空号")})
    assert again == answers
    assert _receipt_columns() == before
    assert ContactAttempt.objects.count() == 1

    # A liaison answers TD: the number is opted out, the reply is on its enterprise's log.
    replier = OutboxMessage.objects.select_related("enterprise").get(
        campaign=campaign, to="13910000003"
    )
    reply = stand_in.push_reply(live_server.url, SECRET, running_provider.number(replier.to), "TD")
    assert reply == (200, ANSWER_OK[running_provider.name])
    assert list(SmsOptOut.objects.values_list("mobile", "keyword")) == [(replier.to, "TD")]
    inbound = InboundSms.objects.get()
    assert (inbound.enterprise_id, inbound.opted_out) == (replier.enterprise_id, True)

    # The next greeting (to the ten enterprises 园区测试企业0000–0009) leaves the number out:
    # a "not sent" row, and the provider never hears of it.
    stand_in.reset()
    greeting = _campaign(staff_user, running_provider, q="园区测试企业000")
    assert greeting.recipients == 10
    rows = OutboxMessage.objects.filter(campaign=greeting)
    _sweep_until(
        worker,
        lambda: rows.filter(status=Status.SENT).count() == 9,
        timeout=60,
        what="the greeting sent",
    )
    left_out = rows.get(to=replier.to)
    assert (left_out.status, left_out.problem) == (Status.SKIPPED, Problem.OPTED_OUT)
    delivered_to = {stand_in.mainland(d.number) for d in stand_in.deliveries}
    assert len(delivered_to) == 9 and replier.to not in delivered_to


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
