"""A local stand-in of the WeCom group robot API (企业微信 群机器人), for the tests.

It speaks ``POST /cgi-bin/webhook/send?key=…`` as WeCom does: JSON in, HTTP 200 with
``{"errcode": …, "errmsg": …}`` out. It checks the key (93000 for one it does not know),
each message type's fields and sizes, an image's base64 and MD5 (of the bytes before
encoding), counts each key's accepted messages over a sliding window (45009 beyond the
limit: 20 a minute, like WeCom) and records every request. It runs in a thread of the test
process; a Celery worker subprocess reaches it through ``WECOM_WEBHOOK_BASE=<url>``.

``with WeComStandIn(keys={"k1"}) as wecom: …`` — then ``wecom.url``, ``wecom.accepted()``,
``wecom.fail_next(2, status=500)``, ``wecom.preload("k1", 20)`` (someone else's posts).
"""

import base64
import binascii
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SEND_PATH = "/cgi-bin/webhook/send"
OK = 0
SYSTEM_BUSY = -1
INVALID_MSGTYPE = 40008
INVALID_IMAGE_SIZE = 40009
FREQUENCY_LIMITED = 45009
EMPTY_CONTENT = 44004
CONTENT_TOO_LONG = 45002
INVALID_PARAMETER = 40058
INVALID_WEBHOOK = 93000


@dataclass
class Request:
    key: str
    body: dict | None
    errcode: int | None  # None: answered with an HTTP error instead
    at: float  # time.monotonic() on arrival
    image: bytes | None = None


@dataclass
class _Script:
    failures: list[int] = field(default_factory=list)  # HTTP statuses to answer next
    delay: float = 0.0


class WeComStandIn:
    def __init__(self, *, keys: set[str], limit: int = 20, window: float = 60.0):
        self.keys = set(keys)
        self.limit = limit
        self.window = window
        self.requests: list[Request] = []
        self._accepted_at: dict[str, list[float]] = {}
        self._script = _Script()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- control ------------------------------------------------------------------

    def __enter__(self) -> "WeComStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, times: int, *, status: int = 500) -> None:
        with self._lock:
            self._script.failures += [status] * times

    def answer_after(self, seconds: float) -> None:
        """Hold every answer this long (a slow or hanging WeCom)."""
        self._script.delay = seconds

    def preload(self, key: str, count: int) -> None:
        """``count`` messages someone else just sent through the robot ``key``."""
        with self._lock:
            self._accepted_at.setdefault(key, []).extend([time.monotonic()] * count)

    def forget_window(self) -> None:
        """As if the minute had passed (for tests that move the portal's clock)."""
        with self._lock:
            self._accepted_at.clear()

    def accepted(self, key: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.errcode == OK and (key is None or r.key == key)]

    def answered(self, errcode: int) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.errcode == errcode]

    # --- the API ------------------------------------------------------------------

    def _check(self, body) -> tuple[int, str, bytes | None]:
        if not isinstance(body, dict):
            return INVALID_PARAMETER, "invalid json", None
        msgtype = body.get("msgtype")
        if msgtype in ("text", "markdown"):
            part = body.get(msgtype)
            content = part.get("content") if isinstance(part, dict) else None
            if not isinstance(content, str) or not content:
                return EMPTY_CONTENT, "empty content", None
            if len(content.encode("utf-8")) > (2048 if msgtype == "text" else 4096):
                return CONTENT_TOO_LONG, "content exceed max length", None
            mentioned = part.get("mentioned_list", [])
            if msgtype == "text" and not (
                isinstance(mentioned, list) and all(isinstance(m, str) for m in mentioned)
            ):
                return INVALID_PARAMETER, "invalid mentioned_list", None
            return OK, "ok", None
        if msgtype == "image":
            part = body.get("image")
            if not isinstance(part, dict):
                return INVALID_PARAMETER, "missing image", None
            try:
                data = base64.b64decode(part.get("base64", ""), validate=True)
            except (binascii.Error, ValueError, TypeError):
                return INVALID_PARAMETER, "invalid base64", None
            if not data or len(data) > 2 * 1024 * 1024:
                return INVALID_IMAGE_SIZE, "invalid image size", None
            if hashlib.md5(data).hexdigest() != part.get("md5"):
                return INVALID_PARAMETER, "md5 not match", None
            if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
                return INVALID_PARAMETER, "invalid image type", None
            return OK, "ok", data
        return INVALID_MSGTYPE, "invalid message type", None

    def _answer(self, key: str, raw: bytes) -> tuple[int, dict | None]:
        """(HTTP status, JSON answer or None); records the request."""
        now = time.monotonic()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        with self._lock:
            if self._script.failures:
                status = self._script.failures.pop(0)
                self.requests.append(Request(key, body, None, now))
                return status, None
            if key not in self.keys:
                errcode, errmsg, image = INVALID_WEBHOOK, "invalid webhook url", None
            else:
                errcode, errmsg, image = self._check(body)
                if errcode == OK:
                    recent = [t for t in self._accepted_at.get(key, []) if t > now - self.window]
                    if len(recent) >= self.limit:
                        errcode, errmsg, image = FREQUENCY_LIMITED, "api freq out of limit", None
                    else:
                        self._accepted_at[key] = [*recent, now]
            self.requests.append(Request(key, body, errcode, now, image))
        return 200, {"errcode": errcode, "errmsg": errmsg}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                url = urlsplit(self.path)
                if url.path != SEND_PATH:
                    self.send_error(404)
                    return
                key = parse_qs(url.query).get("key", [""])[0]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if standin._script.delay:
                    time.sleep(standin._script.delay)
                status, answer = standin._answer(key, raw)
                if answer is None:
                    self.send_error(status)
                    return
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        return Handler
