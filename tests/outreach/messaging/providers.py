"""Fixtures for the SMS providers: each provider's local stand-in, started in this process
(a worker subprocess reaches it over HTTP), and the settings or environment that point the
real SDK at it. Import the fixtures into a test module to use them."""

from dataclasses import dataclass

import pytest
from django.test import override_settings

from outreach.messaging import backends
from outreach.messaging.models import Channel, MessageTemplate
from outreach.messaging.rendering import placeholders_in
from tests.standins import aliyun_sms, tencent_sms
from tests.standins.aliyun_sms import AliyunSmsStandIn
from tests.standins.sms_base import SmsStandIn
from tests.standins.tencent_sms import TencentSmsStandIn


@dataclass
class Provider:
    name: str
    stand_in: SmsStandIn
    env: dict[str, str]  # for a worker process

    def settings(self) -> dict:
        return dict(self.env)

    def code_for(self, template: MessageTemplate) -> str:
        return f"SMS_{template.pk:06d}" if self.name == "aliyun" else f"{1400 + template.pk}"

    def approve(self, template: MessageTemplate) -> MessageTemplate:
        """Give the template an approved code and parameters (Alibaba names them after the
        placeholders; Tencent numbers them)."""
        names = sorted(placeholders_in(template.body))
        template.provider_code = self.code_for(template)
        template.provider_params = [
            [name if self.name == "aliyun" else str(i), name]
            for i, name in enumerate(names, start=1)
        ]
        template.save()
        return template

    def approve_all(self) -> None:
        for template in MessageTemplate.objects.filter(channel=Channel.SMS):
            self.approve(template)

    def number(self, mobile: str) -> str:
        """How the provider writes a mainland number."""
        return mobile if self.name == "aliyun" else f"+86{mobile}"


def _env(name: str, endpoint: str) -> dict[str, str]:
    if name == "aliyun":
        return {
            "SMS_BACKEND": "outreach.messaging.gateways.aliyun.AliyunSmsBackend",
            "ALIYUN_SMS_ENDPOINT": endpoint,
            "ALIYUN_SMS_ACCESS_KEY_ID": aliyun_sms.ACCESS_KEY_ID,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": aliyun_sms.ACCESS_KEY_SECRET,
            "SMS_SIGN_NAME": aliyun_sms.SIGN_NAME,
        }
    return {
        "SMS_BACKEND": "outreach.messaging.gateways.tencent.TencentSmsBackend",
        "TENCENT_SMS_ENDPOINT": endpoint,
        "TENCENT_SMS_SECRET_ID": tencent_sms.SECRET_ID,
        "TENCENT_SMS_SECRET_KEY": tencent_sms.SECRET_KEY,
        "TENCENT_SMS_SDK_APP_ID": tencent_sms.SDK_APP_ID,
        "SMS_SIGN_NAME": tencent_sms.SIGN_NAME,
    }


def start_provider(name: str, **kwargs) -> Provider:
    stand_in = (AliyunSmsStandIn if name == "aliyun" else TencentSmsStandIn)(**kwargs).start()
    return Provider(name, stand_in, _env(name, stand_in.endpoint))


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request, db):
    """Each provider's stand-in, with this process's SMS backend pointed at it."""
    running = start_provider(request.param)
    backends._sms_backend = None  # a backend instance holds its endpoint
    with override_settings(**running.settings()):
        yield running
    backends._sms_backend = None
    running.stand_in.stop()
