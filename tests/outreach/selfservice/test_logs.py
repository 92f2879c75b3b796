"""No log line carries a personal link's token. The web server's access log: the first
request of a link has it in its path (and a later one may in its Referer); gunicorn, run as
docker-compose runs it, writes `/s/…/` instead. Django's own lines, and runserver's request
lines under `make run`, likewise."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from outreach.selfservice.logs import RedactSelfServiceTokens
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _compose_web_command(port: int) -> list[str]:
    """docker-compose's `web` command, on a free local port with one worker."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "command"
    ]
    assert command[0] == "gunicorn"
    command = [sys.executable, "-m", "gunicorn", *command[1:]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    # Not the user's control socket ($HOME/.gunicorn/gunicorn.ctl), which another gunicorn
    # may hold.
    return [*command, "--no-control-socket"]


# Straight to the local server, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str, **headers: str) -> int:
    """The final status (redirects followed), 0 if nothing answers."""
    try:
        with _OPENER.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        return 0


@pytest.fixture
def gunicorn():
    """The portal under a real gunicorn, configured as in docker-compose; yields its base
    URL, and its output (access and error log) is in ``gunicorn.output`` once stopped."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
    }
    process = subprocess.Popen(
        _compose_web_command(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while _get(f"{base}/healthz") not in (200, 503):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not start:\n{process.communicate()[0]}")
        time.sleep(0.2)

    class Server:
        url = base
        output = ""

        def stop(self) -> str:
            process.terminate()
            self.output = process.communicate(timeout=30)[0]
            return self.output

    server = Server()
    yield server
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_logs_personal_links_without_their_token(gunicorn, sent_link):
    token = sent_link.token
    # Followed to /s/ without the session cookie (urllib keeps none): 404 there.
    assert _get(f"{gunicorn.url}/s/{token}/", Referer=f"{gunicorn.url}/s/{token}/") == 404
    _get(f"{gunicorn.url}/s/{token}?utm_source=sms")  # no slash: redirected, logged too
    output = gunicorn.stop()
    access = [line for line in output.splitlines() if '"GET /s/' in line]
    assert token not in output and token[:12] not in output
    assert any(f'"GET /s/…/ HTTP/1.1" 303 0 "{gunicorn.url}/s/…/"' in line for line in access), (
        output
    )
    assert any('"GET /s/…?utm_source=sms HTTP/1.1" 301' in line for line in access), output
    assert any('"GET /s/ HTTP/1.1" 404' in line for line in access), output


def _gunicorn_access_record(atoms: dict) -> logging.LogRecord:
    """A record as gunicorn.glogging.Logger.access makes it: the format string and its atoms
    (a dict subclass answering "-" for a missing one) as the only argument."""
    from gunicorn.glogging import SafeAtoms

    return logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({x-missing}i)s',
        (SafeAtoms(atoms),),
        None,
    )


def test_the_filter_rewrites_gunicorns_atoms():
    token = "Ab3_-" * 8 + "xyz"
    record = _gunicorn_access_record(
        {
            "h": "10.0.0.1",
            "r": f"GET /s/{token}/ HTTP/1.1",
            "s": "303",
            "f": f"https://portal.example/s/{token}/",
            "U": f"/s/{token}/",
            "{raw_uri}e": f"/s/{token}/",
        }
    )
    atoms = record.args
    assert RedactSelfServiceTokens().filter(record)
    message = record.getMessage()
    assert token not in message
    assert message == '10.0.0.1 "GET /s/…/ HTTP/1.1" 303 "https://portal.example/s/…/" /s/…/ -'
    assert record.args["{raw_uri}e"] == "/s/…/"
    assert atoms["U"] == f"/s/{token}/"  # gunicorn's own dict is left as it was
    # Other paths pass unchanged.
    record = _gunicorn_access_record({"r": "GET /s/form/ HTTP/1.1", "U": "/s/form/"})
    RedactSelfServiceTokens().filter(record)
    assert "/s/form/" in record.getMessage()


def _handlers_reached(logger: logging.Logger):
    while logger is not None:
        yield from logger.handlers
        if not logger.propagate:
            return
        logger = logger.parent


@pytest.mark.parametrize(
    ("logger", "message"),
    [
        ("django.request", "Gone: %s"),  # a dead link's 410
        ("django.server", '"GET %s HTTP/1.1" 303 0'),  # runserver, under `make run`
    ],
)
def test_every_django_log_handler_writes_the_path_without_the_token(settings, logger, message):
    settings.DEBUG = True  # as under `make run`, where Django's defaults add a console handler
    token = "Ab3_-" * 8 + "xyz"
    streams = {}
    for handler in _handlers_reached(logging.getLogger(logger)):
        if isinstance(handler, logging.StreamHandler):
            streams[handler] = handler.setStream(io.StringIO())
    assert streams, f"{logger} writes nowhere"
    try:
        logging.getLogger(logger).warning(message, f"/s/{token}/")
    finally:
        written = [handler.setStream(stream).getvalue() for handler, stream in streams.items()]
    assert all(token not in text for text in written), written
    assert any("/s/…/" in text for text in written), written
