"""Delivery receipts and replies, pushed over real HTTP to a live server the way each provider
pushes them (tests/standins/sms_callbacks.py)."""

import datetime
import logging

import pytest
from django.urls import reverse

from monitoring import kinds
from monitoring.models import ContactHealth
from monitoring.services import rules_sweep
from outreach.messaging import services
from outreach.messaging.inbound.codes import receipt_problem
from outreach.messaging.inbound.models import InboundSms, SmsOptOutRemoval
from outreach.messaging.inbound.payloads import Receipt
from outreach.messaging.inbound.receipts import receipts_record
from outreach.messaging.inbound.replies import opt_out_keyword
from outreach.messaging.models import OutboxMessage, SmsOptOut
from outreach.models import ContactAttempt, Task
from outreach.selfservice.logs import redact
from registry import clock
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.standins.sms_callbacks import AliyunPusher, TencentPusher

SECRET = "s3cret-for-the-sms-pushes-0123456789abcdef"
Status, Problem = OutboxMessage.Status, OutboxMessage.Problem

live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secret(settings):
    settings.SMS_CALLBACK_SECRET = SECRET
    return SECRET


@pytest.fixture
def aliyun(live_server, secret):
    return AliyunPusher(live_server.url, secret)


@pytest.fixture
def tencent(live_server, secret):
    return TencentPusher(live_server.url, secret)


def _sent(enterprise, gateway) -> OutboxMessage:
    """An SMS to the enterprise's liaison, handed to the gateway (which gave it an id)."""
    message = services.message_enqueue(
        enterprise=enterprise, channel="sms", body="请于6月30日前完成年报。", purpose="t"
    )
    services.outbox_drain(max_seconds=10)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.gateway_id
    return message


ALIYUN_OK = {"code": 0, "msg": "接收成功"}
TENCENT_OK = {"result": 0, "errmsg": "OK"}


# --- Receipts ----------------------------------------------------------------------------


@live
def test_a_delivered_receipt_updates_the_row_and_logs_no_contact(aliyun, enterprise_a, gateway):
    message = _sent(enterprise_a, gateway)

    assert aliyun.report([AliyunPusher.report_item(message)]) == (200, ALIYUN_OK)

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.delivered_at is not None and message.receipt_at is not None
    assert message.receipt_code == "DELIVERED"
    # Arriving is not reaching the liaison: nothing on the contact log, the light untouched.
    assert not ContactAttempt.objects.exists()
    assert not ContactHealth.objects.filter(enterprise=enterprise_a).exists()


@live
def test_staff_see_a_delivered_receipt_in_the_outbox(
    aliyun, enterprise_a, gateway, client, staff_user
):
    message = _sent(enterprise_a, gateway)
    client.force_login(staff_user)
    assert "已送达" not in client.get(reverse("messaging:outbox")).content.decode()

    aliyun.report([AliyunPusher.report_item(message)])

    assert "已送达" in client.get(reverse("messaging:outbox")).content.decode()


@live
def test_a_tencent_receipt_finds_its_message_by_the_serial_number(tencent, enterprise_a, gateway):
    message = _sent(enterprise_a, gateway)

    assert tencent.report([TencentPusher.report_item(message)]) == (200, TENCENT_OK)

    message.refresh_from_db()
    assert message.receipt_code == "DELIVRD" and message.delivered_at is not None


@live
def test_an_empty_number_receipt_is_a_failed_contact_that_feeds_the_light(
    aliyun, enterprise_a, gateway
):
    message = _sent(enterprise_a, gateway)

    status, answer = aliyun.report(
        [AliyunPusher.report_item(message, success=False, err_code="MK:0001", err_msg="空号")]
    )

    assert (status, answer) == (200, ALIYUN_OK)
    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.FAILED, Problem.EMPTY_NUMBER)
    assert message.receipt_code == "MK:0001" and message.delivered_at is None
    [attempt] = ContactAttempt.objects.filter(enterprise=enterprise_a)
    assert (attempt.channel, attempt.outcome) == ("sms", ContactAttempt.Outcome.NOT_IN_SERVICE)
    assert attempt.liaison == enterprise_a.current_liaison and attempt.by is None
    # The light's input: one more failure in a row, and the "not in service" rule's outcome.
    health = ContactHealth.objects.get(enterprise=enterprise_a)
    assert health.consecutive_failures == 1
    assert health.last_attempt_at == attempt.occurred_at
    # A week on, nobody reached: the monitor's "number not in service" rule opens its task.
    rules_sweep(now=clock.now() + datetime.timedelta(days=8))
    assert Task.objects.filter(enterprise=enterprise_a, kind=kinds.NOT_IN_SERVICE).exists()


@live
def test_tencent_suspended_and_blacklisted_receipts_are_failed_contacts(tencent, grid_a, gateway):
    suspended, blacklisted = EnterpriseFactory(grid=grid_a), EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=suspended, mobile="13900000001")
    LiaisonFactory(enterprise=blacklisted, mobile="13900000002")
    first, second = _sent(suspended, gateway), _sent(blacklisted, gateway)

    status, _answer = tencent.report(
        [
            # No code we know: the words say 停机 and nothing else.
            TencentPusher.report_item(
                first, success=False, errmsg="X:9999", description="用户停机"
            ),
            TencentPusher.report_item(
                second, success=False, errmsg="DB:0144", description="网关黑名单"
            ),
        ]
    )

    assert status == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.problem == Problem.SUSPENDED_NUMBER and second.problem == Problem.BLACKLISTED
    outcomes = dict(ContactAttempt.objects.values_list("enterprise_id", "outcome"))
    assert outcomes == {suspended.pk: "not_in_service", blacklisted.pk: "refused"}


@live
def test_a_repeated_receipt_changes_nothing(aliyun, enterprise_a, gateway):
    message = _sent(enterprise_a, gateway)
    push = [AliyunPusher.report_item(message, success=False, err_code="MK:0001")]
    aliyun.report(push)
    message.refresh_from_db()
    before = OutboxMessage.objects.filter(pk=message.pk).values().get()

    # The provider did not get our answer and pushes again; then a late "delivered" arrives.
    assert aliyun.report(push) == (200, ALIYUN_OK)
    assert aliyun.report([AliyunPusher.report_item(message)]) == (200, ALIYUN_OK)

    assert OutboxMessage.objects.filter(pk=message.pk).values().get() == before
    assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 1
    assert ContactHealth.objects.get(enterprise=enterprise_a).consecutive_failures == 1


@live
def test_other_failures_are_undelivered_but_not_a_failed_contact(tencent, enterprise_a, gateway):
    message = _sent(enterprise_a, gateway)

    tencent.report(
        [
            TencentPusher.report_item(
                message, success=False, errmsg="UNDELIV", description="关机/停机/无法接通"
            )
        ]
    )

    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.FAILED, Problem.UNDELIVERED)
    assert message.receipt_code == "UNDELIV"
    assert not ContactAttempt.objects.exists()


@live
def test_receipts_for_unknown_messages_are_acknowledged_and_logged(aliyun, tencent, caplog):
    caplog.set_level(logging.INFO, logger="outreach.messaging.inbound.receipts")
    stranger = {
        "phone_number": "13900009999",
        "send_time": "2026-11-30 10:00:00",
        "report_time": "2026-11-30 10:00:05",
        "success": True,
        "err_code": "DELIVERED",
        "err_msg": "用户接收成功",
        "sms_size": "1",
        "biz_id": "123^456",
        "out_id": "outbox-987654",
    }

    assert aliyun.report([stranger]) == (200, ALIYUN_OK)
    item = dict(TencentPusher.report_item(OutboxMessage(to="13900009999", gateway_id="nope")))
    assert tencent.report([item]) == (200, TENCENT_OK)
    assert "outbox-987654" in caplog.text and "nope" in caplog.text


@live
def test_a_wrong_or_missing_secret_is_not_found(aliyun, enterprise_a, gateway, settings):
    message = _sent(enterprise_a, gateway)
    push = [AliyunPusher.report_item(message, success=False, err_code="MK:0001")]

    assert aliyun.report(push, secret="guess")[0] == 404
    assert aliyun.report(push, secret=SECRET[:-1])[0] == 404
    settings.SMS_CALLBACK_SECRET = ""
    assert aliyun.report(push, secret="")[0] == 404  # the path without a secret

    message.refresh_from_db()
    assert message.receipt_at is None and message.status == Status.SENT


@live
def test_too_many_wrong_secrets_from_one_address_are_refused(aliyun):
    statuses = [aliyun.report([], secret=f"guess{n}")[0] for n in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429
    assert aliyun.report([])[0] == 429  # even the right one, for a while, from that address


@live
def test_malformed_pushes_are_refused_and_keep_nothing(aliyun, tencent, enterprise_a, gateway):
    message = _sent(enterprise_a, gateway)
    good = AliyunPusher.report_item(message, success=False, err_code="MK:0001")

    assert aliyun.report(None, raw=b"{not json")[0] == 400
    assert aliyun.report(None, raw="[]".encode("utf-16"))[0] == 400
    assert aliyun.report({"not": "an array"})[0] == 400
    status, answer = aliyun.report([good, {**good, "success": "maybe"}])
    assert status == 400 and "success" in answer["msg"]
    assert tencent.report([{"sid": "x", "report_status": "LOST"}])[0] == 400
    assert tencent.reply({"mobile": "13912345678", "text": "好", "time": "soon"})[0] == 400
    assert aliyun.reply([{"phone_number": "13912345678", "content": "好"}])[0] == 400

    message.refresh_from_db()
    assert message.receipt_at is None and message.status == Status.SENT
    assert not ContactAttempt.objects.exists() and not InboundSms.objects.exists()


@live
def test_callbacks_take_posts_only(live_server, secret):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{live_server.url}/sms/callbacks/aliyun/report/{secret}/")
    assert error.value.code == 405


@pytest.mark.django_db
def test_a_push_of_hundreds_of_receipts_is_recorded_in_a_few_queries(
    enterprise_a, django_assert_max_num_queries
):
    now = datetime.datetime.now(tz=datetime.UTC)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            enterprise=enterprise_a,
            channel="sms",
            to="13912345678",
            body="x",
            purpose="t",
            status=Status.SENT,
            sent_at=now,
            gateway_id=f"serial-{n}",
        )
        for n in range(400)
    )
    receipts = [
        Receipt(
            out_id="",
            gateway_id=row.gateway_id,
            mobile=row.to,
            delivered=True,
            code="DELIVRD",
            detail="",
            at=None,
        )
        for row in rows
    ]

    with django_assert_max_num_queries(6):
        result = receipts_record(receipts=receipts)

    assert result.delivered == 400
    assert OutboxMessage.objects.filter(delivered_at__isnull=False).count() == 400


@pytest.mark.parametrize(
    ("code", "detail", "problem"),
    [
        ("MK:0001", "", Problem.EMPTY_NUMBER),
        ("mk:0005", "", Problem.SUSPENDED_NUMBER),
        ("TDBLACK", "", Problem.BLACKLISTED),
        ("UNKNOWN9", "空号", Problem.EMPTY_NUMBER),
        ("002", "关机/停机/无法接通手机/不在服务区", Problem.UNDELIVERED),
        ("UNDELIV", "", Problem.UNDELIVERED),
        ("IC:0001", "", Problem.UNDELIVERED),
        ("", "", Problem.UNDELIVERED),
    ],
)
def test_receipt_codes_map_to_problems(code, detail, problem):
    assert receipt_problem(code, detail) == problem


def test_the_secret_never_reaches_the_logs():
    line = f'"POST /sms/callbacks/aliyun/report/{SECRET}/ HTTP/1.1" 404'
    assert SECRET not in redact(line)
    assert "/sms/callbacks/aliyun/report/…/" in redact(line)


# --- Replies -----------------------------------------------------------------------------


@live
def test_a_reply_is_on_the_enterprise_timeline_and_the_grid_workers_list(
    aliyun, enterprise_a, worker_a, worker_b, client
):
    push = [
        AliyunPusher.reply_item(
            "13912345678", "收到，下周提交年报。新号码13800001111", sequence_id=1001
        )
    ]

    assert aliyun.reply(push) == (200, ALIYUN_OK)
    assert aliyun.reply(push) == (200, ALIYUN_OK)  # repeated: recorded once

    [reply] = InboundSms.objects.all()
    assert reply.enterprise == enterprise_a and reply.liaison == enterprise_a.current_liaison
    assert not reply.opted_out

    client.force_login(worker_a)
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc]))
    assert "收到，下周提交年报" in page.content.decode()
    assert "联络员短信回复" in page.content.decode()
    replies = client.get(reverse("messaging:replies")).content.decode()
    assert "收到，下周提交年报" in replies and enterprise_a.name in replies
    assert "13912345678" not in replies and "139****5678" in replies  # masked
    assert "13800001111" not in replies and "138****1111" in replies  # in the text too
    assert "13800001111" not in page.content.decode()

    client.force_login(worker_b)  # another grid's worker
    assert "收到，下周提交年报" not in client.get(reverse("messaging:replies")).content.decode()


@live
def test_a_number_that_is_liaison_of_several_goes_to_the_enterprise_last_written_to(
    tencent, grid_a, gateway
):
    first, second = EnterpriseFactory(grid=grid_a), EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=first, mobile="13900000003")
    LiaisonFactory(enterprise=second, mobile="13900000003")
    _sent(second, gateway)

    assert tencent.reply(TencentPusher.reply_item("13900000003", "好的")) == (200, TENCENT_OK)

    reply = InboundSms.objects.get()
    assert reply.enterprise == second and reply.matches == 2


@live
def test_td_or_tuiding_opts_the_number_out_and_stays_out(tencent, aliyun, enterprise_a):
    assert tencent.reply(TencentPusher.reply_item("13912345678", " ｔｄ ")) == (200, TENCENT_OK)
    optout = SmsOptOut.objects.get(mobile="13912345678")
    assert optout.keyword == "TD"

    # Another reply, even another opt-out word, changes nothing about it.
    aliyun.reply([AliyunPusher.reply_item("13912345678", "你好，我想继续收到通知", sequence_id=7)])
    aliyun.reply([AliyunPusher.reply_item("+86 139 1234 5678", "退订。", sequence_id=8)])
    assert list(SmsOptOut.objects.values_list("mobile", "keyword")) == [("13912345678", "TD")]
    assert InboundSms.objects.filter(opted_out=True).count() == 2


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("TD", "TD"),
        ("td", "TD"),
        (" Td\n", "TD"),
        ("ＴＤ", "TD"),
        ("ｔｄ。", "TD"),
        ("R", "R"),
        ("ｒ！", "R"),
        ("退订", "退订"),
        ("退订。", "退订"),
        ("【退订】", "退订"),
        ("TD please", ""),
        ("请不要退订", ""),
        ("好的", ""),
        ("", ""),
    ],
)
def test_opt_out_words(text, keyword):
    assert opt_out_keyword(text) == keyword


@pytest.mark.django_db
def test_staff_remove_an_opt_out_and_the_removal_is_recorded(client, staff_user, worker_a, auditor):
    optout = SmsOptOut.objects.create(
        mobile="13912345678",
        keyword="TD",
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )
    url = reverse("messaging:optout_remove", args=[optout.pk])

    client.force_login(worker_a)
    assert client.get(reverse("messaging:optouts")).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(auditor)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(staff_user)
    listing = client.get(reverse("messaging:optouts")).content.decode()
    assert "139****5678" in listing and "13912345678" not in listing
    client.post(url, {"reason": ""})
    assert SmsOptOut.objects.exists()  # a reason is needed

    client.post(url, {"reason": "联络员来电要求恢复接收"})

    assert not SmsOptOut.objects.exists()
    removal = SmsOptOutRemoval.objects.get()
    assert (removal.mobile, removal.keyword, removal.removed_by) == (
        "13912345678",
        "TD",
        staff_user,
    )
    assert removal.reason == "联络员来电要求恢复接收"
    assert "联络员来电要求恢复接收" in client.get(reverse("messaging:optouts")).content.decode()
