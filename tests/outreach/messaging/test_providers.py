"""The SMS providers' send path, against each provider's local stand-in with the real SDK
pointed at it: approved templates with their values, the outbox key as the client
reference, and every class of answer mapped (tests/standins/)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from core.errors import ServiceError
from outreach.messaging import refusals, services
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.models import ContactAttempt
from registry import clock
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import ALWAYS_OPEN, campaign_send

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
Problem = OutboxMessage.Problem
ADMINS = [("Park admin", "it@park.example")]


def _drain():
    return services.outbox_drain(max_seconds=20)


def _message(enterprise, key="general-reminder-sms"):
    return services.message_enqueue(enterprise=enterprise, template=key, purpose="t")


def _park(grid, n=3):
    for i in range(n):
        LiaisonFactory(
            enterprise=EnterpriseFactory(grid=grid, name=f"测试企业{i}"),
            name=f"联络员{i}",
            mobile=f"1391234{i:04d}",
        )


def _campaign(by, key="holiday-greeting-sms"):
    return campaign_send(
        name="国庆问候",
        kind="holiday",
        template=MessageTemplate.objects.get(key=key),
        filters=EnterpriseFilters(grid="A"),
        by=by,
    )


def test_a_message_goes_as_its_approved_template_with_its_values(provider, enterprise_a):
    provider.approve_all()
    message = _message(enterprise_a)
    _drain()
    message.refresh_from_db()
    [delivery] = provider.stand_in.deliveries
    assert message.status == Status.SENT
    assert delivery.reference == message.idempotency_key == f"outbox-{message.pk}"
    assert message.gateway_id == delivery.message_id  # what a receipt names
    assert delivery.template == provider.code_for(message.template)
    assert delivery.number == provider.number("13912345678")
    assert delivery.sign_name == "园区企业服务"
    values = {"enterprise": "上海甲乙科技有限公司", "liaison": "张伟"}
    if provider.name == "aliyun":
        assert delivery.params == values
    else:  # numbered, in the approved order (enterprise, liaison)
        assert delivery.params == [values["enterprise"], values["liaison"]]


def test_a_retried_send_is_recognised_by_its_client_reference(provider, enterprise_a):
    """The worker's send reached the provider but its answer was lost (a timeout): the retry
    carries the same OutId / SessionContext and the provider does not deliver it twice."""
    provider.approve_all()
    message = _message(enterprise_a)
    first = provider.stand_in.deliver(
        reference=message.idempotency_key,
        number=provider.number(message.to),
        template=provider.code_for(message.template),
        params={},
        sign_name="园区企业服务",
        prefix="",
    )
    _drain()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert provider.stand_in.delivered_references() == [message.idempotency_key]
    assert message.gateway_id == first.message_id  # the first delivery's id, for its receipt


@pytest.mark.parametrize(
    ("codes", "problem", "outcome"),
    [
        (
            {
                "aliyun": "isv.MOBILE_NUMBER_ILLEGAL",
                "tencent": "InvalidParameterValue.IncorrectPhoneNumber",
            },
            Problem.INVALID_ADDRESS,
            ContactAttempt.Outcome.NOT_IN_SERVICE,
        ),
        (
            {"aliyun": "isv.MOBILE_IN_BLACK", "tencent": "FailedOperation.PhoneNumberInBlacklist"},
            Problem.BLACKLISTED,
            ContactAttempt.Outcome.REFUSED,
        ),
    ],
)
def test_an_invalid_or_blacklisted_number_is_a_failed_contact(
    provider, enterprise_a, codes, problem, outcome
):
    provider.approve_all()
    provider.stand_in.script(codes[provider.name], number="13912345678")
    message = _message(enterprise_a)
    _drain()
    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.FAILED, problem)
    assert message.attempts == 1  # never retried
    attempt = ContactAttempt.objects.get(enterprise=enterprise_a)
    assert attempt.outcome == outcome and attempt.channel == ContactAttempt.Channel.SMS
    assert not provider.stand_in.deliveries


THROTTLES = {
    "minute": {
        "aliyun": ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
        "tencent": ("LimitExceeded.PhoneNumberThirtySecondLimit", ""),
    },
    "hour": {
        "aliyun": ("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5"),
        "tencent": ("LimitExceeded.PhoneNumberOneHourLimit", ""),
    },
    "day": {
        "aliyun": ("isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10"),
        "tencent": ("LimitExceeded.PhoneNumberDailyLimit", ""),
    },
}


@pytest.mark.parametrize("window", ["minute", "hour", "day"])
def test_a_throttled_number_is_retried_after_the_window(provider, enterprise_a, window):
    provider.approve_all()
    code, text = THROTTLES[window][provider.name]
    provider.stand_in.script(code, number="13912345678", message=text, times=1)
    start = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)  # 18:00 in the park
    with time_machine.travel(start, tick=False):
        message = _message(enterprise_a)
        _drain()
        message.refresh_from_db()
        assert (message.status, message.problem) == (Status.QUEUED, Problem.TEMPORARY)
        expected = {
            "minute": start + datetime.timedelta(minutes=1),
            "hour": start + datetime.timedelta(hours=1),
            # The next day in the park (Asia/Shanghai), from 09:00.
            "day": datetime.datetime(2026, 3, 11, 1, 0, tzinfo=datetime.UTC),
        }[window]
        assert message.next_attempt_at == expected
        assert code in message.error
    # Not before the window's end …
    with time_machine.travel(expected - datetime.timedelta(seconds=1), tick=False):
        assert _drain() == 0
    # … and then it goes.
    with time_machine.travel(expected, tick=False):
        _drain()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert provider.stand_in.delivered_references() == [message.idempotency_key]
    assert not ContactAttempt.objects.exists()  # throttling says nothing about the number


def test_a_provider_error_or_timeout_is_retried_with_the_usual_backoff(provider, enterprise_a):
    provider.approve_all()
    provider.stand_in.script("InternalError", status=500, times=1)
    message = _message(enterprise_a)
    _drain()
    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.QUEUED, Problem.TEMPORARY)
    assert message.next_attempt_at > clock.now()


REFUSALS = {
    "credentials": {
        "aliyun": "InvalidAccessKeyId.NotFound",
        "tencent": "AuthFailure.SignatureFailure",
    },
    "template": {
        "aliyun": "isv.SMS_TEMPLATE_ILLEGAL",
        "tencent": "FailedOperation.TemplateIncorrectOrUnapproved",
    },
    "signature": {
        "aliyun": "isv.SMS_SIGNATURE_ILLEGAL",
        "tencent": "FailedOperation.SignatureIncorrectOrUnapproved",
    },
    "balance": {
        "aliyun": "isv.AMOUNT_NOT_ENOUGH",
        "tencent": "FailedOperation.InsufficientBalanceInSmsPackage",
    },
}
SAYS = {
    "credentials": "拒绝了门户的账号",
    "template": "拒绝了模板“节日问候（短信）”",
    "signature": "拒绝了短信签名",
    "balance": "余额不足",
}


@pytest.mark.parametrize("what", list(REFUSALS))
# The resume queues the held rows at once only within the sending window.
@override_settings(ADMINS=ADMINS, **ALWAYS_OPEN)
def test_a_refused_account_or_template_stops_the_campaign_and_an_admin_resumes_it(
    provider, grid_a, staff_user, admin_user, client, what, django_capture_on_commit_callbacks
):
    _park(grid_a, 5)
    provider.approve_all()
    code = REFUSALS[what][provider.name]
    provider.stand_in.script(code)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = _campaign(staff_user)
        _drain()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.STOPPED
    assert campaign.stopped_at is not None and code in campaign.stopped_reason
    # The first refusal stopped it: the other rows were held, not sent one by one.
    assert provider.stand_in.requests == 1
    rows = OutboxMessage.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {Status.HELD}
    assert set(rows.values_list("problem", flat=True)) == {Problem.PROVIDER_REFUSED}
    assert not ContactAttempt.objects.exists()  # not the liaisons' fault
    [told] = mail.outbox
    assert told.to == ["it@park.example"] and "国庆问候" in told.subject
    assert code in told.body

    client.force_login(admin_user)
    page = client.get(reverse("messaging:campaign", args=[campaign.pk])).content.decode()
    assert "此群发已停止：短信服务商拒绝发送" in page and SAYS[what] in page
    assert "恢复群发" in page
    home = client.get("/").content.decode()
    assert "国庆问候" in home and "已停止" in home

    # The configuration is fixed; an admin resumes the campaign and everything goes out.
    provider.stand_in.reset()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("messaging:campaign_resume", args=[campaign.pk]))
    assert response.status_code == 302
    _drain()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CONFIRMED
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert len(provider.stand_in.deliveries) == 5


def test_only_an_admin_resumes_or_cancels_and_cancelling_sends_nothing(
    provider, grid_a, staff_user, admin_user, client
):
    _park(grid_a, 3)
    provider.approve_all()
    provider.stand_in.script(REFUSALS["credentials"][provider.name])
    campaign = _campaign(staff_user)
    _drain()
    client.force_login(staff_user)
    assert client.post(reverse("messaging:campaign_resume", args=[campaign.pk])).status_code == 403
    client.force_login(admin_user)
    client.post(reverse("messaging:campaign_cancel_held", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    provider.stand_in.reset()
    _drain()
    assert not provider.stand_in.deliveries
    assert set(
        OutboxMessage.objects.filter(campaign=campaign).values_list("status", flat=True)
    ) == {Status.SKIPPED}
    with pytest.raises(ServiceError):
        refusals.campaign_resume(campaign=campaign, by=admin_user)


@override_settings(ADMINS=ADMINS)
def test_a_single_message_refused_fails_and_admins_are_told_once(
    provider, grid_a, django_capture_on_commit_callbacks
):
    _park(grid_a, 3)
    provider.approve_all()
    provider.stand_in.script(REFUSALS["credentials"][provider.name])
    with django_capture_on_commit_callbacks(execute=True):
        messages = [_message(e) for e in grid_a.enterprises.all()]
        _drain()
    for message in messages:
        message.refresh_from_db()
        assert (message.status, message.problem) == (Status.FAILED, Problem.PROVIDER_REFUSED)
        assert message.attempts == 1  # not retried forever
    assert len(mail.outbox) == 1
    assert not ContactAttempt.objects.exists()


def test_a_template_without_an_approved_code_is_refused_up_front(provider, grid_a, staff_user):
    _park(grid_a, 2)
    with pytest.raises(ServiceError) as refused:
        _campaign(staff_user)
    assert "没有已审核的模板编号" in str(refused.value.message)
    assert not OutboxMessage.objects.exists()


def test_a_message_whose_template_lost_its_code_is_refused_not_sent_as_text(provider, enterprise_a):
    message = _message(enterprise_a)  # general reminder: no code
    _drain()
    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.FAILED, Problem.PROVIDER_REFUSED)
    assert not provider.stand_in.requests


def test_admins_see_which_templates_lack_an_approved_code(provider, admin_user, client):
    provider.approve_all()
    MessageTemplate.objects.filter(key="severe-weather-sms").update(provider_code="")
    client.force_login(admin_user)
    page = client.get(reverse("messaging:templates")).content.decode()
    assert "1 个短信模板还没有已审核的模板编号" in page
    assert "无审核编号" in page
    home = client.get("/").content.decode()
    assert "尚无已审核模板编号的短信模板" in home and "恶劣天气提示（短信）" in home


def test_without_a_real_provider_nothing_is_said_about_codes(admin_user, client):
    client.force_login(admin_user)
    page = client.get(reverse("messaging:templates")).content.decode()
    assert "还没有已审核的模板编号" not in page


# --- The portal's own messages through their templates --------------------------------


def test_the_self_service_code_goes_through_its_template(provider, enterprise_a, staff_user):
    from outreach.selfservice.services import selfservice_code_send, selfservice_link_send

    provider.approve_all()
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_code_send(link=link)
    _drain()
    code_message = OutboxMessage.objects.get(purpose="self-service-code")
    assert code_message.template.key == "self-service-code-sms"
    code = re.search(r"验证码为(\d{6})", code_message.body).group(1)
    delivery = next(
        d for d in provider.stand_in.deliveries if d.reference.endswith(str(code_message.pk))
    )
    assert delivery.template == provider.code_for(code_message.template)
    values = (
        delivery.params
        if provider.name == "aliyun"
        else dict(zip(["code", "enterprise", "minutes"], delivery.params, strict=True))
    )
    assert values["code"] == code and values["minutes"] == "10"


def test_the_staff_correction_notice_goes_through_its_template(provider, enterprise_a, staff_user):
    from registry.services import liaison_update

    provider.approve_all()
    liaison_update(liaison=enterprise_a.current_liaison, by=staff_user, position="行政主管")
    notice = OutboxMessage.objects.get(purpose="staff-correction-notice")
    assert notice.template.key == "staff-correction-sms"
    assert notice.params["fields"] == "职务"
    _drain()
    [delivery] = provider.stand_in.deliveries
    assert "职务" in (delivery.params.values() if provider.name == "aliyun" else delivery.params)


@override_settings(ADMINS=ADMINS)
def test_a_code_whose_template_lacks_its_code_is_explained_to_the_liaison(
    provider, client, enterprise_a, staff_user, django_capture_on_commit_callbacks
):
    """The liaison is told at once that the code cannot be sent and whom to contact, instead
    of waiting for a code that never comes; the admins are told (once)."""
    from outreach.selfservice.services import selfservice_link_send
    from tests.outreach.selfservice.conftest import token_in

    provider.approve_all()
    MessageTemplate.objects.filter(key="self-service-code-sms").update(provider_code="")
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    sent = OutboxMessage.objects.get(purpose="self-service-link")
    client.get(reverse("selfservice:landing", args=[token_in(sent)]), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/s/", {"action": "send"})
        client.post("/s/", {"action": "send"})
    assert response.status_code == 503
    assert "验证码短信暂时无法发送" in response.content.decode()
    assert "联系园区企业服务中心" in response.content.decode()
    assert not OutboxMessage.objects.filter(purpose="self-service-code").exists()
    link.refresh_from_db()
    assert not link.code_hash  # no code that could never arrive
    assert len(mail.outbox) == 1 and "自助核对验证码" in mail.outbox[0].body


# --- The template editor ----------------------------------------------------------------


def test_an_admin_enters_the_approved_code_and_its_parameters(admin_user, client):
    template = MessageTemplate.objects.get(key="general-reminder-sms")
    client.force_login(admin_user)
    url = reverse("messaging:template_edit", args=[template.pk])
    data = {
        "name": template.name,
        "subject": "",
        "body": template.body,
        "provider_code": "SMS_465391234",
        "provider_params": "name = liaison\ncompany = {{ enterprise }}",
    }
    assert client.post(url, data).status_code == 302
    template.refresh_from_db()
    assert template.provider_code == "SMS_465391234"
    assert template.provider_params == [["name", "liaison"], ["company", "enterprise"]]
    page = client.get(url).content.decode()
    assert "SMS_465391234" in page and "company" in page

    bad = client.post(url, {**data, "provider_params": "name = link"})
    assert bad.status_code == 400
    assert "文本中没有" in bad.content.decode()
    bad = client.post(url, {**data, "provider_params": "name liaison"})
    assert bad.status_code == 400


def test_the_codes_own_placeholders_are_allowed_only_in_their_templates(admin_user, client):
    client.force_login(admin_user)
    general = MessageTemplate.objects.get(key="general-reminder-sms")
    response = client.post(
        reverse("messaging:template_edit", args=[general.pk]),
        {"name": general.name, "subject": "", "body": "验证码{{ code }}"},
    )
    assert response.status_code == 400
    own = MessageTemplate.objects.get(key="self-service-code-sms")
    response = client.post(
        reverse("messaging:template_edit", args=[own.pk]),
        {"name": own.name, "subject": "", "body": "验证码{{ code }}，{{ minutes }}分钟有效"},
    )
    assert response.status_code == 302


def test_a_campaign_cannot_use_a_code_template(grid_a, staff_user):
    _park(grid_a, 1)
    with pytest.raises(ServiceError):
        _campaign(staff_user, key="self-service-code-sms")
