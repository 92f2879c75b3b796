"""What a failed delivery receipt's code says about the number: one table for both providers.

Neither provider invents these codes: Alibaba's ``err_code`` and Tencent's ``errmsg`` pass on
the status report of the carrier's SMS gateway (CMPP for China Mobile, SGIP/SMGP for Unicom
and Telecom), plus a few of the provider's own. Only codes that name one cause are mapped;
a code that says "switched off, suspended or out of reach" (Tencent's ``002``, the carriers'
``UNDELIV``, ``EXPIRED``) or a carrier's internal error (``IB:…``, ``IC:…``, ``MA:…``) is not
evidence that the number is dead, and is recorded as UNDELIVERED only.

Sources (read 2026-11):
- China Mobile CMPP status codes: https://cnblogs.com/yhdkzy/p/4238029.html ("MK:0001 不存在的
  用户", "MK:0005 / MK:0013 停机", "MBBLACK 本地黑名单", "DBBLACK / DB:0144 网关黑名单",
  "MK:0000 / MN:0001 屏蔽(也有可能是空号)", "MK:0010 / MK:0023 关机");
  https://www.cnblogs.com/da-guang/p/5880631.html ("DB:0101 号码无效或者空号", "DB:0102 用户
  停机", "CB:0053 用户不存在 号码无效或者空号", "UNDELIV 停机、挂起等 不处理",
  "IB/IC/MA 移动内部错误 不处理").
- Upstream codes as cloud providers document them: Huawei Cloud 状态回执错误码
  https://support.huaweicloud.com/api-msgsms/sms_05_0051.html ("BLACK / TDBLACK / TSBLACK /
  MBBLACK 号码黑名单: 回复过退订信息或者向工信部投诉过"); SUBMAIL 回执代码表
  https://mysubmail.com/documents/1XQAE4 ("PUBLOKD / BLOCKED / BLACK 网关黑名单").
- Tencent's receipt code table https://cloud.tencent.com/document/product/382/3771
  ("002 三网 关机/停机/无法接通手机/不在服务区": ambiguous, so not mapped).

A code not in the table is read from the receipt's words (Alibaba ``err_msg``, Tencent
``description``): "空号", "停机" or "黑名单" alone says what happened; words that also allow a
phone that is merely off ("关机", "无法接通", "不在服务区") leave it UNDELIVERED.
"""

from outreach.messaging.models import OutboxMessage

Problem = OutboxMessage.Problem

RECEIPT_CODES: dict[str, str] = {
    # 空号: the number does not exist.
    "MK:0001": Problem.EMPTY_NUMBER,
    "DB:0101": Problem.EMPTY_NUMBER,
    "CB:0053": Problem.EMPTY_NUMBER,
    # 停机: the number is suspended by the carrier.
    "MK:0005": Problem.SUSPENDED_NUMBER,
    "MK:0013": Problem.SUSPENDED_NUMBER,
    "DB:0102": Problem.SUSPENDED_NUMBER,
    # 黑名单: the carrier or the provider refuses SMS to the number (it unsubscribed or
    # complained).
    "MBBLACK": Problem.BLACKLISTED,
    "DBBLACK": Problem.BLACKLISTED,
    "DB:0144": Problem.BLACKLISTED,
    "BLACK": Problem.BLACKLISTED,
    "TDBLACK": Problem.BLACKLISTED,
    "TSBLACK": Problem.BLACKLISTED,
    "PUBLOKD": Problem.BLACKLISTED,
    "BLOCKED": Problem.BLACKLISTED,
}

_WORDS = (
    ("空号", Problem.EMPTY_NUMBER),
    ("停机", Problem.SUSPENDED_NUMBER),
    ("黑名单", Problem.BLACKLISTED),
)
_AMBIGUOUS = ("关机", "无法接通", "不在服务区", "不可及")

# What each permanent problem means: a failed contact attempt (outreach.messaging.contact_log).
PERMANENT = frozenset(RECEIPT_CODES.values())


def receipt_problem(code: str, detail: str = "") -> str:
    """The problem a failed receipt records: EMPTY_NUMBER, SUSPENDED_NUMBER, BLACKLISTED
    (the number cannot be reached: a failed contact) or UNDELIVERED (this message did not
    arrive; nothing certain about the number)."""
    mapped = RECEIPT_CODES.get((code or "").strip().upper())
    if mapped:
        return mapped
    words = detail or ""
    if not any(word in words for word in _AMBIGUOUS):
        found = [problem for word, problem in _WORDS if word in words]
        if found:
            return found[0]
    return Problem.UNDELIVERED
