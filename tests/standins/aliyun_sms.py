"""A local stand-in of Alibaba Cloud SMS (Dysmsapi 2017-05-25 ``SendSms``) as the SDK calls
it: ``POST /`` with the action in ``x-acs-action`` and the request in the query string
(``PhoneNumbers``, ``SignName``, ``TemplateCode``, ``TemplateParam`` JSON, ``OutId``), signed
``ACS3-HMAC-SHA256 Credential=<AccessKeyId>,…``. It answers as the service does: HTTP 200
``{"Code": "OK", "BizId": …}`` or a business error code (``isv.…``) with HTTP 200;
authentication errors with HTTP 4xx, server errors with 5xx.

Run alone: ``python -m tests.standins.aliyun_sms --port 8801``.
"""

import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

from tests.standins.sms_base import Delivery, Outcome, SmsStandIn, main
from tests.standins.sms_callbacks import AliyunPusher

ACCESS_KEY_ID = "standin-ak"
ACCESS_KEY_SECRET = "standin-secret"
SIGN_NAME = "园区企业服务"
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# The status the service answers an error code with (business errors: 200).
STATUS = {
    "InvalidAccessKeyId.NotFound": 404,
    "InvalidAccessKeyId.Inactive": 400,
    "SignatureDoesNotMatch": 400,
    "Throttling.User": 400,
    "isp.RAM_PERMISSION_DENY": 403,
    "InternalError": 500,
    "ServiceUnavailable": 503,
}


class AliyunSmsStandIn(SmsStandIn):
    name = "Alibaba Cloud SMS"
    pusher_class = AliyunPusher

    def __init__(self, *, templates: dict[str, list[str]] | None = None, **kwargs):
        super().__init__(**kwargs)
        # Approved templates: code -> parameter names. None: any code is approved.
        self.templates = templates

    def handle(self, request, body):
        request_id = str(uuid.uuid4()).upper()
        query = {k: v[-1] for k, v in parse_qs(urlsplit(request.path).query).items()}
        if body and "form" in (request.headers.get("Content-Type") or ""):
            query.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        action = request.headers.get("x-acs-action") or query.get("Action")
        auth = request.headers.get("Authorization") or ""
        if f"Credential={ACCESS_KEY_ID}," not in auth and query.get("AccessKeyId") != ACCESS_KEY_ID:
            return self.error(
                "InvalidAccessKeyId.NotFound", "Specified access key is not found.", request_id
            )
        if action != "SendSms":
            return 400, {}, {"Code": "InvalidAction.NotFound", "RequestId": request_id}
        number = query.get("PhoneNumbers", "")
        scripted = self.scripted(number)
        if scripted is not None:
            status = scripted.status if scripted.status != 200 else STATUS.get(scripted.code, 200)
            return self.error(scripted.code, scripted.message, request_id, status=status)
        if query.get("SignName") != SIGN_NAME:
            return self.error("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名", request_id)
        code = query.get("TemplateCode", "")
        try:
            params = json.loads(query.get("TemplateParam") or "{}")
        except ValueError:
            return self.error("isv.INVALID_JSON_PARAM", "JSON参数不合法", request_id)
        if self.templates is not None:
            if code not in self.templates:
                return self.error("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板", request_id)
            if set(self.templates[code]) - set(params):
                return self.error(
                    "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值", request_id
                )
        if not _MOBILE.match(number):
            return self.error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", request_id)
        delivery = self.deliver(
            reference=query.get("OutId", ""),
            number=number,
            template=code,
            params=params,
            sign_name=query.get("SignName", ""),
            prefix="",
        )
        return (
            200,
            {},
            {
                "Code": "OK",
                "Message": "OK",
                "BizId": delivery.message_id,
                "RequestId": request_id,
            },
        )

    def receipt_item(self, delivery: Delivery, outcome: Outcome | None) -> dict:
        """SmsReport: our OutId back as ``out_id``, the BizId SendSms answered as ``biz_id``."""
        failed = {} if outcome is None else {"err_code": outcome.code, "err_msg": outcome.detail}
        return AliyunPusher.report_fields(
            number=delivery.number,
            biz_id=delivery.message_id,
            out_id=delivery.reference,
            send_time=self.sent_at(delivery),
            success=outcome is None,
            **failed,
        )

    def reply_item(self, number: str, text: str) -> list[dict]:
        """SmsUp: an array, each reply with its sequence number."""
        return [AliyunPusher.reply_item(number, text, sequence_id=next(self._reply_sequence))]

    @staticmethod
    def error(code: str, message: str, request_id: str, *, status: int | None = None):
        status = status or STATUS.get(code, 200)
        return status, {}, {"Code": code, "Message": message, "RequestId": request_id}


if __name__ == "__main__":
    main(AliyunSmsStandIn)
