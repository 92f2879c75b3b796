"""Review of #15: input PostgreSQL text cannot hold (a NUL, a lone surrogate) in a provider's
push or a staff form is a 4xx with nothing kept, never a 500."""

import pytest
from django.test import Client

from outreach.messaging.inbound.models import InboundSms, SmsOptOutRemoval
from outreach.messaging.models import SmsOptOut
from registry import clock

SECRET = "s3cret-for-the-sms-pushes-0123456789abcdef"

PUSHES = [
    (
        "aliyun/reply",
        '[{"sequence_id": "1", "phone_number": "13800138000", "content": "TD\\u0000"}]',
    ),
    (
        "aliyun/reply",
        '[{"sequence_id": "2", "phone_number": "13800138000", "content": "\\ud800"}]',
    ),
    (
        "aliyun/reply",
        '[{"sequence_id": "3\\u0000", "phone_number": "13800138000", "content": "x"}]',
    ),
    ("aliyun/reply", '[{"sequence_id": "4", "phone_number": "1380013800\\u0000", "content": "x"}]'),
    ("tencent/reply", '{"mobile": "13800138000", "text": "\\ud800", "time": 1700000000}'),
    ("tencent/reply", '{"mobile": "13800138000", "text": "a\\u0000", "time": 1700000000}'),
    ("tencent/reply", '{"mobile": "1", "nationcode": "\\u0000", "text": "a", "time": 1700000000}'),
    ("aliyun/report", '[{"success": false, "biz_id": "\\ud800", "err_code": "x"}]'),
    ("tencent/report", '[{"report_status": "SUCCESS", "sid": "\\u0000"}]'),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "body"), PUSHES)
def test_a_push_with_what_text_cannot_hold_is_a_400(settings, path, body):
    settings.SMS_CALLBACK_SECRET = SECRET
    client = Client(raise_request_exception=False)
    response = client.post(
        f"/sms/callbacks/{path}/{SECRET}/",
        data=body.encode("utf-8", "surrogatepass"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not text" in response.json().get("msg", response.json().get("errmsg", ""))
    assert not InboundSms.objects.exists() and not SmsOptOut.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_an_opt_out_removal_reason_is_not_a_500(admin_user):
    optout = SmsOptOut.objects.create(mobile="13800138000", keyword="TD", created_at=clock.now())
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.post(f"/outreach/opt-outs/{optout.pk}/remove/", {"reason": "本人\x00来电"})
    assert response.status_code == 302
    assert SmsOptOutRemoval.objects.get().reason == "本人来电"
