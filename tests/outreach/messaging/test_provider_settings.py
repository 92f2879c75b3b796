"""Production accepts a real SMS provider and refuses one without its keys, at start-up."""

from tests.liaison_portal.test_settings import PRODUCTION_ENV, _manage

ALIYUN = {
    "SMS_BACKEND": "aliyun",
    "ALIYUN_SMS_ACCESS_KEY_ID": "LTAI-example",
    "ALIYUN_SMS_ACCESS_KEY_SECRET": "secret",
    "SMS_SIGN_NAME": "园区企业服务",
}
TENCENT = {
    "SMS_BACKEND": "tencent",
    "TENCENT_SMS_SECRET_ID": "AKID-example",
    "TENCENT_SMS_SECRET_KEY": "secret",
    "TENCENT_SMS_SDK_APP_ID": "1400000001",
    "SMS_SIGN_NAME": "园区企业服务",
}


def test_production_accepts_a_configured_provider():
    for provider in (ALIYUN, TENCENT):
        result = _manage("check", environ={**PRODUCTION_ENV, **provider})
        assert result.returncode == 0, result.stderr


def test_production_refuses_a_provider_without_its_keys():
    for provider, missing in (
        (ALIYUN, "ALIYUN_SMS_ACCESS_KEY_SECRET"),
        (TENCENT, "TENCENT_SMS_SDK_APP_ID"),
    ):
        environ = {**PRODUCTION_ENV, **{k: v for k, v in provider.items() if k != missing}}
        result = _manage("check", environ=environ)
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and missing in result.stderr
