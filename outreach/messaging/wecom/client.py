"""The group robot API (企业微信 群机器人): one POST per message, answered with errcode/errmsg.

``POST {WECOM_WEBHOOK_BASE}/cgi-bin/webhook/send?key=…`` with a JSON body
``{"msgtype": "text" | "markdown" | "image", …}``; WeCom answers HTTP 200 and
``{"errcode": 0, "errmsg": "ok"}`` or an error code. The answer is sorted into what the
caller does next: wait for the robot's minute, stop using the key, give up on this message,
or try again later. The standard library's HTTP client is enough for one JSON POST.
"""

import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

SEND_PATH = "/cgi-bin/webhook/send"

# WeCom's error codes the robot API answers with (developer.work.weixin.qq.com, 全局错误码).
FREQUENCY_LIMITED = 45009  # 接口调用超过限制: the robot's 20 messages a minute
INVALID_WEBHOOK = 93000  # invalid webhook url: the key is wrong, or the robot was removed
KEY_REFUSED = {INVALID_WEBHOOK}


class WeComError(Exception):
    def __init__(self, errcode: int | None, detail: str):
        super().__init__(detail)
        self.errcode = errcode
        self.detail = detail

    def __str__(self) -> str:
        code = "" if self.errcode is None else f"{self.errcode} "
        return f"{code}{self.detail}"[:500]


class FrequencyLimited(WeComError):
    """Too many messages this minute: the same message goes after the minute."""


class KeyRefused(WeComError):
    """The webhook key is not (or no longer) valid: nothing goes out until an admin fixes it."""


class MessageRefused(WeComError):
    """WeCom refused this message (its content, size or type): sending it again changes nothing."""


class TemporaryFailure(WeComError):
    """A timeout, a refused connection or a 5xx: try again later."""


def payload(
    *, msgtype: str, content: str = "", mention_all: bool = False, image: bytes | None = None
) -> dict:
    """The JSON body of one message."""
    if msgtype == "text":
        text: dict = {"content": content}
        if mention_all:
            text["mentioned_list"] = ["@all"]
        return {"msgtype": "text", "text": text}
    if msgtype == "markdown":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if msgtype == "image":
        data = bytes(image or b"")
        return {
            "msgtype": "image",
            "image": {
                "base64": base64.b64encode(data).decode("ascii"),
                "md5": hashlib.md5(data).hexdigest(),
            },
        }
    raise ValueError(f"unknown msgtype {msgtype!r}")


def send_url(key: str) -> str:
    base = settings.WECOM_WEBHOOK_BASE.rstrip("/")
    return f"{base}{SEND_PATH}?{urllib.parse.urlencode({'key': key})}"


def send(*, key: str, body: dict) -> None:
    """Post one message; returns on errcode 0, raises one of the errors above otherwise."""
    request = urllib.request.Request(
        send_url(key),
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WECOM_TIMEOUT_SECONDS) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        if error.code >= 500 or error.code == 429:
            raise TemporaryFailure(None, f"HTTP {error.code}") from error
        raise MessageRefused(None, f"HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise TemporaryFailure(None, str(reason) or error.__class__.__name__) from error
    try:
        answer = json.loads(raw)
        errcode = int(answer.get("errcode", -1))
        errmsg = str(answer.get("errmsg", ""))
    except (ValueError, AttributeError, TypeError) as error:
        raise TemporaryFailure(None, "unreadable answer") from error
    if errcode == 0:
        return
    if errcode == FREQUENCY_LIMITED:
        raise FrequencyLimited(errcode, errmsg)
    if errcode in KEY_REFUSED:
        raise KeyRefused(errcode, errmsg)
    if errcode == -1:  # 系统繁忙
        raise TemporaryFailure(errcode, errmsg)
    raise MessageRefused(errcode, errmsg)
