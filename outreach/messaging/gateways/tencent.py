"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11 SendSms) through its SDK.

``SMS_BACKEND=tencent``. The outbox key is the ``SessionContext`` (returned as is in the
answer and in receipts); the ``SerialNo`` is the message id. A request the API refuses
as a whole (authentication, the SmsSdkAppId, a malformed request) raises
``TencentCloudSDKException``; per-number results, failures included, come back in a
200 answer's ``SendStatusSet`` (``Code`` ``Ok`` or an error code, ``Message``,
``SerialNo``). Codes: tencentcloud/sms/v20210111/errorcodes.py and Tencent Cloud SMS
"错误码".
"""

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
    "InvalidParameterValue.IncorrectPhoneNumber": a.number(Problem.INVALID_ADDRESS),
    "FailedOperation.PhoneNumberParseFail": a.number(Problem.INVALID_ADDRESS),
    "FailedOperation.PhoneNumberInBlacklist": a.number(Problem.BLACKLISTED),
    # The message's content or one of its values.
    "FailedOperation.ContainSensitiveWord": a.CONTENT_REFUSED,
    "InvalidParameterValue.ContentLengthLimit": a.CONTENT_REFUSED,
    "InvalidParameterValue.TemplateParameterLengthLimit": a.CONTENT_REFUSED,
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": a.CONTENT_REFUSED,
    "InvalidParameter.DirtyWordFound": a.CONTENT_REFUSED,
    # Throttling per number, and the account's frequency and daily quotas.
    "LimitExceeded.PhoneNumberThirtySecondLimit": a.throttled("minute"),
    "LimitExceeded.PhoneNumberOneHourLimit": a.throttled("hour"),
    "LimitExceeded.PhoneNumberDailyLimit": a.throttled("day"),
    "LimitExceeded.PhoneNumberSameContentDailyLimit": a.throttled("day"),
    "LimitExceeded.DeliveryFrequencyLimit": a.throttled("minute"),
    "LimitExceeded.DailyLimit": a.throttled("day"),
    "LimitExceeded.AppDailyLimit": a.throttled("day"),
    "LimitExceeded.AppMainlandChinaDailyLimit": a.throttled("day"),
    "LimitExceeded.AppGlobalDailyLimit": a.throttled("day"),
    "RequestLimitExceeded": a.throttled("minute"),
    # Marketing SMS only between 8:00 and 22:00.
    "FailedOperation.MarketingSendTimeConstraint": a.throttled("day"),
    # The provider's own trouble.
    "InternalError.Timeout": a.TEMPORARY_ANSWER,
    "InternalError.RequestTimeException": a.TEMPORARY_ANSWER,
    "InternalError.SendAndRecvFail": a.TEMPORARY_ANSWER,
    "ClientNetworkError": a.TEMPORARY_ANSWER,
    "ServerNetworkError": a.TEMPORARY_ANSWER,
    # The account.
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": a.refused(a.CREDENTIALS),
    "UnauthorizedOperation.SdkAppIdIsDisabled": a.refused(a.CREDENTIALS),
    "UnauthorizedOperation.RequestIpNotInWhitelist": a.refused(a.CREDENTIALS),
    "UnauthorizedOperation.RequestPermissionDeny": a.refused(a.CREDENTIALS),
    "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": a.refused(a.TEMPLATE),
    "InvalidParameterValue.SdkAppIdNotExist": a.refused(a.CREDENTIALS),
    "FailedOperation.ProhibitSubAccountUse": a.refused(a.CREDENTIALS),
    "FailedOperation.InsufficientBalanceInSmsPackage": a.refused(a.BALANCE),
    "UnauthorizedOperation.ServiceSuspendDueToArrears": a.refused(a.BALANCE),
    # The signature.
    "FailedOperation.SignatureIncorrectOrUnapproved": a.refused(a.SIGNATURE),
    "FailedOperation.MissingSignature": a.refused(a.SIGNATURE),
    # The template.
    "FailedOperation.TemplateIncorrectOrUnapproved": a.refused(a.TEMPLATE),
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": a.refused(a.TEMPLATE),
    "FailedOperation.TemplateUnapprovedOrNotExist": a.refused(a.TEMPLATE),
    "FailedOperation.TemplateIdNotExist": a.refused(a.TEMPLATE),
    "InvalidParameterValue.TemplateParameterFormatError": a.refused(a.TEMPLATE),
    "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone": a.refused(a.TEMPLATE),
    "UnsupportedOperation.GlobalTemplateToChineseMainlandPhone": a.refused(a.TEMPLATE),
}
PREFIXES: dict[str, a.Answer] = {
    "AuthFailure": a.refused(a.CREDENTIALS),
    "UnauthorizedOperation": a.refused(a.CREDENTIALS),
    "LimitExceeded": a.throttled("minute"),
    "InternalError": a.TEMPORARY_ANSWER,
}


def answer_for(code: str) -> a.Answer:
    return a.lookup(CODES, PREFIXES, code)


def _mainland(mobile: str) -> str:
    return mobile if mobile.startswith("+") else f"+86{mobile}"


class TencentSmsBackend(SmsBackend):
    requires_templates = True

    def __init__(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        protocol, host = split_endpoint(settings.TENCENT_SMS_ENDPOINT)
        profile = ClientProfile(
            httpProfile=HttpProfile(
                protocol=protocol,
                endpoint=host,
                reqTimeout=int(settings.SMS_PROVIDER_TIMEOUT_SECONDS),
            )
        )
        self.client = sms_client.SmsClient(
            credential.Credential(settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY),
            settings.TENCENT_SMS_REGION,
            profile,
        )

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        raise NotImplementedError("Tencent Cloud SMS sends approved templates only")

    def send_template(self, *, to, template_code, params, text, idempotency_key) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [_mainland(to)]
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = template_code
        # Tencent numbers its parameters ({1}, {2}…): the values in the approved order.
        request.TemplateParamSet = [value for _name, value in params]
        request.SessionContext = idempotency_key
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = error.get_code() or ""
            a.raise_for(answer_for(code), code=code, message=error.get_message() or "")
            raise  # unreachable
        except Exception as error:  # the connection itself
            raise TemporaryFailure(f"{error.__class__.__name__}: {error}") from error
        statuses = response.SendStatusSet or []
        if not statuses:
            raise TemporaryFailure("empty SendStatusSet")
        status = statuses[0]
        if status.Code == "Ok":
            return status.SerialNo or idempotency_key
        a.raise_for(
            answer_for(status.Code or ""), code=status.Code or "", message=status.Message or ""
        )
        raise AssertionError("unreachable")
