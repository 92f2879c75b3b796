"""Alibaba Cloud SMS (阿里云短信服务, Dysmsapi 2017-05-25 SendSms) through its SDK.

``SMS_BACKEND=aliyun``. The outbox key is the ``OutId`` (the client reference a receipt
carries back); the answer's ``BizId`` is the message id. Business refusals come back as
HTTP 200 with a ``Code`` other than ``OK``; authentication, throttling and server errors as
HTTP 4xx/5xx, which the SDK raises (``ClientException``, ``ThrottlingException``,
``ServerException``). Codes: Alibaba Cloud SMS "API error codes" (国内消息API错误码).
"""

import json
import logging

from django.conf import settings

from outreach.messaging.backends import SmsBackend, TemporaryFailure
from outreach.messaging.gateways import answers as a
from outreach.messaging.gateways.endpoints import split_endpoint
from outreach.messaging.models import OutboxMessage

logger = logging.getLogger(__name__)
Problem = OutboxMessage.Problem

CODES: dict[str, a.Answer] = {
    # The number.
    "isv.MOBILE_NUMBER_ILLEGAL": a.number(Problem.INVALID_ADDRESS),
    "isv.MOBILE_IN_BLACK": a.number(Problem.BLACKLISTED),
    "isv.BLACK_USER_CONTROL_LIMIT": a.number(Problem.BLACKLISTED),
    # The message's content or one of its values.
    "isv.BLACK_KEY_CONTROL_LIMIT": a.CONTENT_REFUSED,
    "isv.SMS_CONTENT_ILLEGAL": a.CONTENT_REFUSED,
    "isv.PARAM_LENGTH_LIMIT": a.CONTENT_REFUSED,
    "isv.PARAM_NOT_SUPPORT_URL": a.CONTENT_REFUSED,
    # Throttling: the window is in the message (分钟级 / 小时级 / 天级流控), see _window.
    "isv.BUSINESS_LIMIT_CONTROL": a.throttled("minute"),
    "isv.DAY_LIMIT_CONTROL": a.throttled("day"),  # the account's daily quota
    "Throttling": a.throttled("minute"),
    "Throttling.User": a.throttled("minute"),
    "Throttling.Api": a.throttled("minute"),
    # The provider's own trouble.
    "isp.SYSTEM_ERROR": a.TEMPORARY_ANSWER,
    "isp.GATEWAY_ERROR": a.TEMPORARY_ANSWER,
    "InternalError": a.TEMPORARY_ANSWER,
    "ServiceUnavailable": a.TEMPORARY_ANSWER,
    # The account.
    "InvalidAccessKeyId.NotFound": a.refused(a.CREDENTIALS),
    "InvalidAccessKeyId.Inactive": a.refused(a.CREDENTIALS),
    "SignatureDoesNotMatch": a.refused(a.CREDENTIALS),
    "IncompleteSignature": a.refused(a.CREDENTIALS),
    "isp.RAM_PERMISSION_DENY": a.refused(a.CREDENTIALS),
    "isv.ACCOUNT_NOT_EXISTS": a.refused(a.CREDENTIALS),
    "isv.ACCOUNT_ABNORMAL": a.refused(a.CREDENTIALS),
    "isv.PRODUCT_UN_SUBSCRIPT": a.refused(a.CREDENTIALS),
    "isv.PRODUCT_UNSUBSCRIBE": a.refused(a.CREDENTIALS),
    "isv.DENY_IP_RANGE": a.refused(a.CREDENTIALS),
    "isv.AMOUNT_NOT_ENOUGH": a.refused(a.BALANCE),
    "isv.OUT_OF_SERVICE": a.refused(a.BALANCE),
    "isv.MONTH_LIMIT_CONTROL": a.refused(a.BALANCE),  # the monthly quota: an admin raises it
    # The signature.
    "isv.SMS_SIGNATURE_ILLEGAL": a.refused(a.SIGNATURE),
    "isv.SMS_SIGN_ILLEGAL": a.refused(a.SIGNATURE),
    "isv.SIGN_STATE_ILLEGAL": a.refused(a.SIGNATURE),
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": a.refused(a.SIGNATURE),
    "isv.EXTEND_CODE_ERROR": a.refused(a.SIGNATURE),
    # The template.
    "isv.SMS_TEMPLATE_ILLEGAL": a.refused(a.TEMPLATE),
    "isv.TEMPLATE_MISSING_PARAMETERS": a.refused(a.TEMPLATE),
    "isv.TEMPLATE_PARAMS_ILLEGAL": a.refused(a.TEMPLATE),
    "isv.INVALID_JSON_PARAM": a.refused(a.TEMPLATE),
    "isv.INVALID_PARAMETERS": a.refused(a.TEMPLATE),
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": a.refused(a.TEMPLATE),
    "isv.SMS_TEST_SIGN_TEMPLATE_LIMIT": a.refused(a.TEMPLATE),
    "isv.SMS_TEST_TEMPLATE_PARAMS_ILLEGAL": a.refused(a.TEMPLATE),
    "isv.SMS_TEST_NUMBER_LIMIT": a.refused(a.TEMPLATE),
}
PREFIXES: dict[str, a.Answer] = {
    "InvalidAccessKeyId": a.refused(a.CREDENTIALS),
    "Forbidden": a.refused(a.CREDENTIALS),
    "Throttling": a.throttled("minute"),
    "isp.": a.TEMPORARY_ANSWER,
}


def _window(message: str) -> str:
    if "天级" in message or "day" in message.lower():
        return "day"
    if "小时级" in message or "hour" in message.lower():
        return "hour"
    return "minute"


def answer_for(code: str, message: str = "") -> a.Answer:
    answer = a.lookup(CODES, PREFIXES, code)
    if code == "isv.BUSINESS_LIMIT_CONTROL":
        answer = a.throttled(_window(message or ""))
    return answer


class AliyunSmsBackend(SmsBackend):
    requires_templates = True

    def __init__(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        protocol, host = split_endpoint(settings.ALIYUN_SMS_ENDPOINT)
        timeout_ms = int(settings.SMS_PROVIDER_TIMEOUT_SECONDS * 1000)
        self.client = Client(
            Config(
                access_key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID,
                access_key_secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
                region_id=settings.ALIYUN_SMS_REGION,
                endpoint=host,
                protocol=protocol,
                connect_timeout=timeout_ms,
                read_timeout=timeout_ms,
            )
        )

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        raise NotImplementedError("Alibaba Cloud SMS sends approved templates only")

    def send_template(self, *, to, template_code, params, text, idempotency_key) -> str:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
        from darabonba.runtime import RuntimeOptions

        request = SendSmsRequest(
            phone_numbers=to,
            sign_name=settings.SMS_SIGN_NAME,
            template_code=template_code,
            template_param=json.dumps(dict(params), ensure_ascii=False) if params else None,
            out_id=idempotency_key,
        )
        try:
            response = self.client.send_sms_with_options(request, RuntimeOptions(autoretry=False))
        except AlibabaCloudException as error:
            code = str(getattr(error, "code", "") or "")
            status = getattr(error, "status_code", None) or 0
            answer = answer_for(code, str(getattr(error, "message", "") or ""))
            if status >= 500 and answer.kind not in (a.THROTTLED, a.REFUSED):
                answer = a.TEMPORARY_ANSWER
            a.raise_for(answer, code=code or f"HTTP {status}", message=str(error))
            raise  # unreachable
        except Exception as error:  # connection refused, timeout: the SDK's own exceptions
            raise TemporaryFailure(f"{error.__class__.__name__}: {error}") from error
        body = response.body
        if body.code == "OK":
            return body.biz_id or idempotency_key
        a.raise_for(
            answer_for(body.code or "", body.message or ""),
            code=body.code or "",
            message=body.message or "",
        )
        raise AssertionError("unreachable")
