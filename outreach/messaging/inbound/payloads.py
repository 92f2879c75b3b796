"""What each SMS provider pushes to us, read into plain receipts and replies.

Neither provider signs these pushes: Alibaba's HTTP batch push (HTTP批量推送模式) and Tencent's
callbacks (回调) are plain JSON POSTs to the address configured in the provider's console, with
no signature header or field documented (the pages below list every field and header they
define). They are authenticated here by a secret in that address (``SMS_CALLBACK_SECRET``,
``views``). Both providers retry a push that is not answered 200, so a receipt or a reply can
arrive twice: everything built on these records is idempotent.

Alibaba Cloud SMS (阿里云短信服务), "HTTP批量推送模式"
------------------------------------------------------
Sources: https://help.aliyun.com/zh/sms/developer-reference/smsreport-2 (SmsReport),
https://help.aliyun.com/zh/sms/developer-reference/smsup-http (SmsUp),
https://help.aliyun.com/document_detail/101867.html and 101847.html (the same, older).
Both are ``application/json``, UTF-8, a JSON **array** (one push may carry many items).
The answer must be HTTP 200 with ``{"code": 0, "msg": "接收成功"}``; only a numeric ``code``
is checked. A non-200 answer or a time-out is retried after 1, 5 and 10 minutes (the newer
OpenAPI page: up to 10 times), and Alibaba asks for a 5xx when the receiver fails.

短信发送状态报告 SmsReport, one item per message:
  phone_number  String   the recipient's mobile
  send_time     String   when the message was handed to the carrier, "2017-01-01 00:00:00"
                         (Beijing time)
  report_time   String   when the carrier's status report arrived, same format
  success       Boolean  true: received by the phone; false: not received
  err_code      String   the status report code: "DELIVERED" on success, else the carrier's
                         code (e.g. "MK:0001", "UNDELIV") — mapped in ``codes``
  err_msg       String   the code's description ("用户接收成功")
  sms_size      String   segments ("1"; a long message is billed by 67-character segments)
  biz_id        String   the send's receipt id (BizId of SendSms/SendBatchSms); one BizId
                         for all numbers of one SendBatchSms call
  out_id        String   our OutId given at send: the outbox key "outbox-<pk>"

上行短信 SmsUp, one item per reply:
  phone_number  String   who replied
  send_time     String   when the carrier pushed the reply, "2017-09-01 00:00:00" (an older
                         page shows "20170901000000"; both are read)
  content       String   the reply's text
  sign_name     String   the signature (签名) the reply answered (optional in newer pages)
  dest_code     String   the extension number (上行扩展码) Alibaba assigned
  sequence_id   Number   the reply's sequence number (newer pages: a string) — our key for
                         recognising a repeated push

Tencent Cloud SMS (腾讯云短信), callbacks
---------------------------------------
Sources: https://cloud.tencent.com/document/product/382/5807 and
https://www.tencentcloud.com/document/product/382/43547 (短信下发状态通知),
https://cloud.tencent.com/document/product/382/5809 and /382/59179 (短信回复).
POST, JSON. The answer is ``{"result": 0, "errmsg": "OK"}`` (result 0: received).

状态回执 (status report): a JSON **array**, one item per message:
  user_receive_time  string  when the phone received it, "2015-10-17 08:03:04" (Beijing)
  nationcode         string  country code, "86"
  mobile             string  the recipient's number without the country code
  report_status      string  "SUCCESS" or "FAIL"
  errmsg             string  the receipt status code ("DELIVRD" on success, else the
                             carrier's code, e.g. "MK:0001") — mapped in ``codes``
  description        string  the status in words ("用户短信送达成功")
  sid                string  the send's id: the SerialNo SendSms returned, which our outbox
                             row keeps as ``gateway_id``

短信回复 (reply): one JSON **object** (an array of them is read too):
  extend      string  the channel's extension code, usually empty
  mobile      string  who replied, without the country code
  nationcode  string  "86"
  sign        string  the signature the reply answered
  text        string  the reply's text
  time        number  UNIX time in seconds. Tencent gives no id: a repeated push is
                      recognised by time, number and text together.

Anything else in an item is ignored; a missing or mistyped field the portal needs is a
``PayloadError`` (the endpoint answers 400 with its message, and nothing of the push is kept).
"""

import datetime
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from registry.normalize import normalize_mobile

# The providers write their times in Beijing time, without an offset.
PROVIDER_TIME_ZONE = ZoneInfo("Asia/Shanghai")
# One push carries a few hundred items at most; more is not a provider's push.
MAX_ITEMS = 5000


class PayloadError(Exception):
    """The push is not what the provider sends: the endpoint answers 400 with this text."""


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt, whichever provider sent it."""

    # Alibaba: our OutId ("outbox-<pk>"); Tencent: the provider's SerialNo (gateway_id).
    out_id: str
    gateway_id: str
    mobile: str
    delivered: bool
    code: str
    detail: str
    at: datetime.datetime | None


@dataclass(frozen=True)
class Reply:
    """A reply (上行短信), whichever provider sent it."""

    ref: str
    mobile: str
    text: str
    at: datetime.datetime | None


def _items(data, *, one_object_allowed: bool = False) -> list[dict]:
    if isinstance(data, dict) and one_object_allowed:
        data = [data]
    if not isinstance(data, list):
        raise PayloadError("expected a JSON array")
    if len(data) > MAX_ITEMS:
        raise PayloadError(f"at most {MAX_ITEMS} items in one push")
    for number, item in enumerate(data):
        if not isinstance(item, dict):
            raise PayloadError(f"item {number}: expected a JSON object")
    return data


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _text(item: dict, name: str, number: int, *, required: bool = True, max_length=500) -> str:
    value = item.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(f"item {number}: {name} is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"item {number}: {name} must be a string")
    value = str(value).strip()
    if not _is_text(value):
        # PostgreSQL text holds neither NUL nor a lone surrogate: a 400, not a 500.
        raise PayloadError(f"item {number}: {name} is not text")
    if len(value) > max_length:
        raise PayloadError(f"item {number}: {name} is too long")
    return value


def _time(value: str) -> datetime.datetime | None:
    """A provider's local time; None when it is absent or unreadable (the receipt still
    counts, timed at its arrival)."""
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y%m%d%H%M%S"):
        try:
            return datetime.datetime.strptime(value, pattern).replace(tzinfo=PROVIDER_TIME_ZONE)
        except (TypeError, ValueError):
            continue
    return None


def _mobile(value: str, nationcode: str = "") -> str:
    """The number as the registry writes it (11 digits) when it is a mainland mobile, else
    as the provider sent it."""
    if nationcode and nationcode not in {"86", "+86"}:
        return f"+{nationcode.lstrip('+')}{value}"[:20]
    try:
        return normalize_mobile(value)
    except ValidationError:
        return value[:20]


def aliyun_receipts(data) -> list[Receipt]:
    receipts = []
    for number, item in enumerate(_items(data)):
        success = item.get("success")
        if isinstance(success, str) and success.lower() in {"true", "false"}:
            success = success.lower() == "true"
        if not isinstance(success, bool):
            raise PayloadError(f"item {number}: success must be true or false")
        out_id = _text(item, "out_id", number, required=False, max_length=100)
        biz_id = _text(item, "biz_id", number, required=False, max_length=100)
        if not out_id and not biz_id:
            raise PayloadError(f"item {number}: out_id or biz_id is needed")
        receipts.append(
            Receipt(
                out_id=out_id,
                gateway_id=biz_id,
                mobile=_mobile(_text(item, "phone_number", number, required=False)),
                delivered=success,
                code=_text(item, "err_code", number, required=False, max_length=50),
                detail=_text(item, "err_msg", number, required=False),
                at=_time(_text(item, "report_time", number, required=False)),
            )
        )
    return receipts


def tencent_receipts(data) -> list[Receipt]:
    receipts = []
    for number, item in enumerate(_items(data)):
        status = _text(item, "report_status", number).upper()
        if status not in {"SUCCESS", "FAIL"}:
            raise PayloadError(f"item {number}: report_status must be SUCCESS or FAIL")
        receipts.append(
            Receipt(
                out_id="",
                gateway_id=_text(item, "sid", number, max_length=100),
                mobile=_mobile(
                    _text(item, "mobile", number, required=False),
                    _text(item, "nationcode", number, required=False),
                ),
                delivered=status == "SUCCESS",
                code=_text(item, "errmsg", number, required=False, max_length=50),
                detail=_text(item, "description", number, required=False),
                at=_time(_text(item, "user_receive_time", number, required=False)),
            )
        )
    return receipts


def aliyun_replies(data) -> list[Reply]:
    replies = []
    for number, item in enumerate(_items(data)):
        replies.append(
            Reply(
                ref=_text(item, "sequence_id", number, max_length=100),
                mobile=_mobile(_text(item, "phone_number", number)),
                text=_text(item, "content", number, max_length=1000),
                at=_time(_text(item, "send_time", number, required=False)),
            )
        )
    return replies


def tencent_replies(data) -> list[Reply]:
    replies = []
    for number, item in enumerate(_items(data, one_object_allowed=True)):
        seconds = item.get("time")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float | str):
            raise PayloadError(f"item {number}: time must be a UNIX time in seconds")
        try:
            at = datetime.datetime.fromtimestamp(int(seconds), tz=datetime.UTC)
        except (ValueError, OverflowError, OSError) as error:
            raise PayloadError(f"item {number}: time must be a UNIX time in seconds") from error
        mobile = _mobile(
            _text(item, "mobile", number), _text(item, "nationcode", number, required=False)
        )
        text = _text(item, "text", number, max_length=1000)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        replies.append(
            Reply(ref=f"{int(seconds)}:{mobile}:{digest}", mobile=mobile, text=text, at=at)
        )
    return replies
