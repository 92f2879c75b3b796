"""The SMS providers' side of delivery receipts and replies: builds each provider's push as
its documentation shows it (outreach/messaging/inbound/payloads.py has the fields and the
sources) and POSTs it to the portal over real HTTP, as the provider's push service does.

    pusher = AliyunPusher(live_server.url, secret)
    status, answer = pusher.report([AliyunPusher.report_item(message, success=False,
                                                              err_code="MK:0001")])
"""

import datetime
import json
import urllib.error
import urllib.request
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def _beijing(at: datetime.datetime | None = None) -> str:
    at = at or datetime.datetime.now(tz=datetime.UTC)
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class _Pusher:
    provider = ""

    def __init__(self, base_url: str, secret: str):
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    def url(self, kind: str, secret: str | None = None) -> str:
        return f"{self.base_url}/sms/callbacks/{self.provider}/{kind}/{secret or self.secret}/"

    def post(self, kind: str, payload, *, secret: str | None = None, raw: bytes | None = None):
        """(HTTP status, decoded JSON answer or the text when it is not JSON)."""
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url(kind, secret),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json;charset=utf-8",
                "User-Agent": f"{self.provider}-sms-push-standin",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def report(self, items, **kwargs):
        return self.post("report", items, **kwargs)

    def reply(self, payload, **kwargs):
        return self.post("reply", payload, **kwargs)


class AliyunPusher(_Pusher):
    """Alibaba Cloud SMS, HTTP批量推送模式: SmsReport and SmsUp, each a JSON array."""

    provider = "aliyun"

    @staticmethod
    def report_item(
        message,
        *,
        success: bool = True,
        err_code: str = "DELIVERED",
        err_msg: str = "用户接收成功",
        report_time: datetime.datetime | None = None,
    ) -> dict:
        return AliyunPusher.report_fields(
            number=message.to,
            biz_id=message.gateway_id,
            out_id=message.idempotency_key,
            send_time=message.sent_at,
            success=success,
            err_code=err_code,
            err_msg=err_msg,
            report_time=report_time,
        )

    @staticmethod
    def report_fields(
        *,
        number: str,
        biz_id: str,
        out_id: str,
        send_time: datetime.datetime | None = None,
        success: bool = True,
        err_code: str = "DELIVERED",
        err_msg: str = "用户接收成功",
        report_time: datetime.datetime | None = None,
    ) -> dict:
        """One SmsReport item from what the provider knows of a message (its stand-in's
        record of a delivery, or an outbox row through ``report_item``)."""
        return {
            "phone_number": number,
            "send_time": _beijing(send_time),
            "report_time": _beijing(report_time),
            "success": success,
            "err_code": err_code,
            "err_msg": err_msg,
            "sms_size": "1",
            "biz_id": biz_id,
            "out_id": out_id,
        }

    @staticmethod
    def reply_item(mobile: str, content: str, *, sequence_id: int, at=None) -> dict:
        return {
            "phone_number": mobile,
            "send_time": _beijing(at),
            "content": content,
            "sign_name": "园区企业服务",
            "dest_code": "1234",
            "sequence_id": sequence_id,
        }


class TencentPusher(_Pusher):
    """Tencent Cloud SMS callbacks: the status report (a JSON array) and a reply (one
    JSON object)."""

    provider = "tencent"

    @staticmethod
    def report_item(
        message,
        *,
        success: bool = True,
        errmsg: str = "DELIVRD",
        description: str = "用户短信送达成功",
        at: datetime.datetime | None = None,
    ) -> dict:
        return TencentPusher.report_fields(
            mobile=message.to,
            sid=message.gateway_id,
            success=success,
            errmsg=errmsg,
            description=description,
            at=at,
        )

    @staticmethod
    def report_fields(
        *,
        mobile: str,
        sid: str,
        success: bool = True,
        errmsg: str = "DELIVRD",
        description: str = "用户短信送达成功",
        at: datetime.datetime | None = None,
    ) -> dict:
        """One status report item: the number without its country code and the SerialNo
        SendSms answered as ``sid`` (Tencent's receipt carries no SessionContext)."""
        return {
            "user_receive_time": _beijing(at),
            "nationcode": "86",
            "mobile": mobile.removeprefix("+86"),
            "report_status": "SUCCESS" if success else "FAIL",
            "errmsg": errmsg,
            "description": description,
            "sid": sid,
        }

    @staticmethod
    def reply_item(mobile: str, text: str, *, at: datetime.datetime | None = None) -> dict:
        at = at or datetime.datetime.now(tz=datetime.UTC)
        return {
            "extend": "",
            "mobile": mobile,
            "nationcode": "86",
            "sign": "园区企业服务",
            "text": text,
            "time": int(at.timestamp()),
        }
