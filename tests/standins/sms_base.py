"""What the SMS providers' local stand-ins share: a threaded HTTP server that delivers each
client reference (Alibaba ``OutId``, Tencent ``SessionContext``) at most once, records what
it delivered, and answers with whatever error it is scripted to, per number or for all.

In the test process: ``with AliyunSmsStandIn() as provider: ...`` (``provider.endpoint`` is
the URL to set as the backend's endpoint). As a separate process:
``python -m tests.standins.aliyun_sms --port 8801`` (or tencent_sms). Either way a test in
another process scripts and reads it over HTTP:

- ``GET /_standin/deliveries``: the delivered messages, in order (JSON list);
- ``POST /_standin/script`` ``{"number": "13800000000" or "*", "code": "...", "message": "...",
  "times": 1}``: answer that number (``*``: every number) with that code, ``times`` times
  (absent: until reset);
- ``POST /_standin/reset``: forget the scripts and the deliveries.

Each delivered message has what a delivery receipt needs: the provider's message id
(``biz_id`` / ``serial_no``), the client reference, the number, the template and its values.

Like the provider, a stand-in pushes receipts and replies back to the portal over HTTP
(``push_receipts``, ``push_reply``), built by tests/standins/sms_callbacks.py's pushers from
what it delivered: every recorded delivery gets a receipt, "delivered" unless ``outcomes``
names its number with the carrier's code, in arrays of ``receipts_per_push`` items.
"""

import argparse
import contextlib
import datetime
import itertools
import json
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.standins.sms_callbacks import _Pusher


@dataclass
class Delivery:
    reference: str  # OutId / SessionContext: the outbox key
    message_id: str  # BizId / SerialNo
    number: str
    template: str
    params: dict | list
    sign_name: str
    at: float = field(default_factory=time.time)


@dataclass
class Script:
    code: str
    message: str = ""
    status: int = 200  # an HTTP error status for errors the API answers as such
    times: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What the carrier reported for a number that did not receive its message."""

    code: str  # Alibaba err_code / Tencent errmsg, e.g. "MK:0001"
    detail: str = ""  # err_msg / description, e.g. "空号"


class SmsStandIn:
    """The shared machinery; a provider's subclass speaks its API in ``handle`` and builds its
    receipts and replies in ``receipt_item`` and ``reply_item``."""

    name = "sms"
    pusher_class: type[_Pusher] = _Pusher
    # How many receipts one push carries (both providers push JSON arrays; the size is the
    # stand-in's choice, below payloads.MAX_ITEMS).
    receipts_per_push = 100

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0):
        self.lock = threading.Lock()
        self.deliveries: list[Delivery] = []
        self.by_reference: dict[str, Delivery] = {}
        self.scripts: dict[str, Script] = {}
        self.requests = 0
        # Seconds between recording a delivery and answering (a slow acknowledgement: the
        # window in which a killed worker would otherwise send twice).
        self.delay = delay
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse their connection
            # TCP_NODELAY: the answer's headers and body go out as two writes, and Nagle's
            # algorithm held the second until the client's delayed ACK (~40 ms a request).
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                stand_in._dispatch(self)

            def do_POST(self):
                stand_in._dispatch(self)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None
        self._reply_sequence = itertools.count(1)

    # --- Running -----------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "SmsStandIn":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- Scripting ---------------------------------------------------------------------

    def script(
        self,
        code: str,
        *,
        number: str = "*",
        message: str = "",
        status: int = 200,
        times: int | None = None,
    ) -> None:
        with self.lock:
            self.scripts[number] = Script(code, message or code, status, times)

    def reset(self) -> None:
        with self.lock:
            self.scripts.clear()
            self.deliveries.clear()
            self.by_reference.clear()

    def scripted(self, number: str) -> Script | None:
        """The error this number is to be answered with (a countdown spent), if any."""
        with self.lock:
            for key in (number, "*"):
                script = self.scripts.get(key)
                if script is None:
                    continue
                if script.times is not None:
                    script.times -= 1
                    if script.times <= 0:
                        del self.scripts[key]
                return script
        return None

    def deliver(
        self, *, reference: str, number: str, template: str, params, sign_name: str, prefix: str
    ) -> Delivery:
        """Deliver once per client reference; a repeat gets the first delivery's answer."""
        with self.lock:
            if reference and reference in self.by_reference:
                return self.by_reference[reference]
            delivery = Delivery(
                reference=reference,
                message_id=f"{prefix}{uuid.uuid4().hex[:20]}",
                number=number,
                template=template,
                params=params,
                sign_name=sign_name,
            )
            self.deliveries.append(delivery)
            if reference:
                self.by_reference[reference] = delivery
        if self.delay:
            time.sleep(self.delay)
        return delivery

    def delivered_references(self) -> list[str]:
        with self.lock:
            return [d.reference for d in self.deliveries]

    # --- Pushing receipts and replies to the portal, as the provider does -----------------

    @staticmethod
    def mainland(number: str) -> str:
        """A number as the registry writes it (Tencent's deliveries carry +86)."""
        return number.removeprefix("+86")

    def push_receipts(
        self,
        portal_url: str,
        secret: str,
        outcomes: dict[str, Outcome] | None = None,
        *,
        deliveries: list[Delivery] | None = None,
    ) -> list[tuple[int, object]]:
        """A receipt for each delivery (all recorded ones unless given): delivered, or the
        ``Outcome`` its number (11 digits) has in ``outcomes``. POSTed to the portal's
        receipt address in arrays of ``receipts_per_push``; the portal's answers, in order."""
        outcomes = outcomes or {}
        if deliveries is None:
            with self.lock:
                deliveries = list(self.deliveries)
        items = [self.receipt_item(d, outcomes.get(self.mainland(d.number))) for d in deliveries]
        pusher = self.pusher_class(portal_url, secret)
        size = self.receipts_per_push
        return [pusher.report(items[i : i + size]) for i in range(0, len(items), size)]

    def push_reply(self, portal_url: str, secret: str, number: str, text: str):
        """A liaison's reply (上行) from ``number``: the portal's answer."""
        pusher = self.pusher_class(portal_url, secret)
        return pusher.reply(self.reply_item(self.mainland(number), text))

    @staticmethod
    def sent_at(delivery: Delivery) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(delivery.at, tz=datetime.UTC)

    def receipt_item(self, delivery: Delivery, outcome: Outcome | None) -> dict:
        raise NotImplementedError

    def reply_item(self, number: str, text: str):
        raise NotImplementedError

    # --- HTTP --------------------------------------------------------------------------

    def _dispatch(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = request.path.split("?", 1)[0]
        if path.startswith("/_standin/"):
            self._control(request, path, body)
            return
        with self.lock:
            self.requests += 1
        status, headers, payload = self.handle(request, body)
        self.respond(request, status, payload, headers)

    def _control(self, request, path: str, body: bytes) -> None:
        if path == "/_standin/deliveries":
            with self.lock:
                payload = [asdict(d) for d in self.deliveries]
            self.respond(request, 200, payload)
        elif path == "/_standin/script":
            data = json.loads(body or b"{}")
            self.script(
                data["code"],
                number=data.get("number", "*"),
                message=data.get("message", ""),
                status=int(data.get("status", 200)),
                times=data.get("times"),
            )
            self.respond(request, 200, {"ok": True})
        elif path == "/_standin/reset":
            self.reset()
            self.respond(request, 200, {"ok": True})
        else:
            self.respond(request, 404, {"error": "unknown"})

    @staticmethod
    def respond(request, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

    def handle(self, request, body: bytes) -> tuple[int, dict, object]:
        raise NotImplementedError


def main(stand_in_class) -> None:
    """Run a stand-in as its own process until killed."""
    parser = argparse.ArgumentParser(description=f"Local stand-in of {stand_in_class.name}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    stand_in = stand_in_class(host=args.host, port=args.port, delay=args.delay)
    print(stand_in.endpoint, flush=True)  # the first line: where it listens
    with contextlib.suppress(KeyboardInterrupt):
        stand_in.server.serve_forever()
