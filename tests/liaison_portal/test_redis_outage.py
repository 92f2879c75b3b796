"""A Redis outage degrades, it does not break: the staff pages work uncached, and the
liaison's pages that count guesses say "try again in a few minutes" (503), never a 500.

The test starts a Redis of its own on a free port, points the cache at it, then stops it."""

import shutil
import socket
import subprocess
import time

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")
START = "/s/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own (no disk writes); yields a function that stops it."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)

    def stop():
        server.terminate()
        server.wait(timeout=10)

    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    with override_settings(CACHES=cache):
        yield stop
    if server.poll() is None:
        stop()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_staff_pages_work_uncached_when_redis_is_down(client, staff_user, enterprise_a, own_redis):
    client.force_login(staff_user)
    assert client.get(reverse("registry:enterprises")).status_code == 200  # cached now
    own_redis()
    response, seconds = _timed(lambda: client.get(reverse("registry:enterprises")))
    assert response.status_code == 200
    assert enterprise_a.name in response.content.decode()
    assert seconds < 5


def test_an_unknown_link_asks_to_try_again_later_when_redis_is_down(client, own_redis):
    unknown = reverse("selfservice:landing", args=["x" * 43])
    assert client.get(unknown).status_code == 404
    own_redis()
    response = client.get(unknown)
    assert response.status_code == 503
    assert "请几分钟后再试" in response.content.decode()
    assert response["Retry-After"] == "300"
    assert response["Cache-Control"] == "no-store"


def test_sending_the_code_asks_to_try_again_later_when_redis_is_down(client, sent_link, own_redis):
    client.get(reverse("selfservice:landing", args=[sent_link.token]))
    assert client.post(START, {"action": "send"}).status_code == 200
    own_redis()
    for action in ({"action": "send"}, {"action": "check", "code": "123456"}):
        response = client.post(START, action)
        assert response.status_code == 503
        assert "请几分钟后再试" in response.content.decode()


@pytest.fixture
def sent_link(enterprise_a, staff_user):
    from outreach.selfservice.services import selfservice_link_send

    return selfservice_link_send(enterprise=enterprise_a, by=staff_user)
