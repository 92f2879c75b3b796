"""A local stand-in of Tencent Cloud SMS (API 2021-01-11 ``SendSms``) as the SDK calls it:
``POST /`` with a JSON body (``PhoneNumberSet``, ``SmsSdkAppId``, ``SignName``,
``TemplateId``, ``TemplateParamSet``, ``SessionContext``), the action in ``X-TC-Action``,
signed ``TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request, …``.

It answers as the service does: a request refused as a whole (authentication, the
SmsSdkAppId, throttling of the API, an internal error) as ``{"Response": {"Error": {"Code",
"Message"}, "RequestId"}}``, which the SDK raises as TencentCloudSDKException; per-number
results, failures included, inside a 200 answer's ``SendStatusSet`` (``Code`` "Ok" or the
error, ``Message``, ``SerialNo``, ``SessionContext``).

Run alone: ``python -m tests.standins.tencent_sms --port 8802``.
"""

import json
import re
import uuid

from tests.standins.sms_base import Delivery, Outcome, SmsStandIn, main
from tests.standins.sms_callbacks import TencentPusher

SECRET_ID = "standin-secret-id"
SECRET_KEY = "standin-secret-key"
SDK_APP_ID = "1400000001"
SIGN_NAME = "园区企业服务"
_MOBILE = re.compile(r"^\+861[3-9][0-9]{9}$")
# Codes the API answers for the whole request (the others: per number, in SendStatusSet).
REQUEST_ERRORS = (
    "AuthFailure",
    "UnauthorizedOperation",
    "InternalError",
    "RequestLimitExceeded",
    "InvalidParameterValue.SdkAppIdNotExist",
    "FailedOperation.FailResolvePacket",
)


class TencentSmsStandIn(SmsStandIn):
    name = "Tencent Cloud SMS"
    pusher_class = TencentPusher

    def __init__(self, *, templates: dict[str, int] | None = None, **kwargs):
        super().__init__(**kwargs)
        # Approved templates: TemplateId -> number of parameters. None: any id is approved.
        self.templates = templates

    def handle(self, request, body):
        request_id = str(uuid.uuid4())
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("TC3-HMAC-SHA256") or f"Credential={SECRET_ID}/" not in auth:
            return self.error(
                "AuthFailure.SecretIdNotFound", "The SecretId is not found.", request_id
            )
        if request.headers.get("X-TC-Action") != "SendSms":
            return self.error("InvalidAction", "The action is not found.", request_id)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self.error("FailedOperation.FailResolvePacket", "bad JSON", request_id)
        if data.get("SmsSdkAppId") != SDK_APP_ID:
            return self.error(
                "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
                "SmsSdkAppId verify fail.",
                request_id,
            )
        context = data.get("SessionContext") or ""
        statuses = []
        for number in data.get("PhoneNumberSet") or []:
            scripted = self.scripted(number.removeprefix("+86"))
            if scripted is not None and scripted.status != 200:
                return scripted.status, {}, {"message": scripted.message}
            if scripted is not None and scripted.code.startswith(REQUEST_ERRORS):
                return self.error(scripted.code, scripted.message, request_id)
            code, message = self.check(number, data, scripted)
            if code != "Ok":
                statuses.append(self.status(number, code, message, "", context))
                continue
            delivery = self.deliver(
                reference=context,
                number=number,
                template=str(data.get("TemplateId")),
                params=list(data.get("TemplateParamSet") or []),
                sign_name=data.get("SignName") or "",
                prefix="2433:",
            )
            statuses.append(self.status(number, "Ok", "send success", delivery.message_id, context))
        return 200, {}, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    def check(self, number: str, data: dict, scripted) -> tuple[str, str]:
        if scripted is not None:
            return scripted.code, scripted.message
        if data.get("SignName") != SIGN_NAME:
            return "FailedOperation.SignatureIncorrectOrUnapproved", "signature unapproved"
        template = str(data.get("TemplateId") or "")
        if self.templates is not None:
            if template not in self.templates:
                return "FailedOperation.TemplateIncorrectOrUnapproved", "template unapproved"
            if len(data.get("TemplateParamSet") or []) != self.templates[template]:
                return (
                    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                    "params do not match the approved template",
                )
        if not _MOBILE.match(number):
            return "InvalidParameterValue.IncorrectPhoneNumber", "incorrect phone number"
        return "Ok", ""

    def receipt_item(self, delivery: Delivery, outcome: Outcome | None) -> dict:
        """状态回执: the SerialNo as ``sid``; no SessionContext comes back in a receipt."""
        failed = {} if outcome is None else {"errmsg": outcome.code, "description": outcome.detail}
        return TencentPusher.report_fields(
            mobile=delivery.number, sid=delivery.message_id, success=outcome is None, **failed
        )

    def reply_item(self, number: str, text: str) -> dict:
        """短信回复: one JSON object."""
        return TencentPusher.reply_item(number, text)

    @staticmethod
    def status(number, code, message, serial_no, context) -> dict:
        return {
            "SerialNo": serial_no,
            "PhoneNumber": number,
            "Fee": 1 if code == "Ok" else 0,
            "SessionContext": context,
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }

    @staticmethod
    def error(code: str, message: str, request_id: str):
        return (
            200,
            {},
            {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}},
        )


if __name__ == "__main__":
    main(TencentSmsStandIn)
