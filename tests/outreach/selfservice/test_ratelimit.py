"""The guess counters (django-ratelimit) on the shared Redis the deployment uses (and on the
local cache), per client address as the proxies in front report it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django_ratelimit.core import _get_window

from outreach.selfservice.ratelimit import limited
from tests.workers import database_url

BROKER = os.environ.get("CELERY_BROKER_URL", "")
# The Redis the cache would use: REDIS_URL, else a Redis broker (CI's second pass).
REDIS = os.environ.get("REDIS_URL", "") or (BROKER if BROKER.startswith("redis://") else "")
ROOT = Path(__file__).resolve().parents[3]
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}


def _caches():
    yield pytest.param(LOCMEM, id="LocMemCache")
    if REDIS:
        yield pytest.param(
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": f"test-rl-{uuid.uuid4()}",
            },
            id="RedisCache",
        )


def _request(address: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/s/", **extra)


@pytest.mark.parametrize("cache", list(_caches()))
def test_the_limit_counts_per_address_and_per_link(cache, settings, steady_window):
    settings.CACHES = {**settings.CACHES, "ratelimit": cache}
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    link = uuid.uuid4().int % 10**9  # a link id of its own, on a shared Redis
    hits = [limited(_request("10.0.0.1"), "send", link_pk=link) for _ in range(5)]
    assert hits == [False, False, False, True, True]  # 3 codes per link
    # Another link from another address has its own counts.
    assert not limited(_request("10.0.0.2"), "send", link_pk=link + 1)
    # Per address: 20 unknown links.
    address = f"10.9.{link % 250}.{link % 199}"
    hits = [limited(_request(address), "unknown") for _ in range(21)]
    assert hits == [False] * 20 + [True]


def _guess(client, i: int, **extra):
    return client.get(reverse("selfservice:landing", args=[f"guess{i:040d}"]), **extra)


@pytest.mark.django_db
def test_two_liaisons_behind_one_proxy_do_not_share_a_bucket(client, settings, steady_window):
    """Behind the park's TLS proxy every request has its address; the liaison's own is the
    one the proxy appended to X-Forwarded-For."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    first = [
        _guess(client, i, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code
        for i in range(21)
    ]
    assert first == [404] * 20 + [429]
    # The other liaison, through the same proxy, is not stopped by the first one's guesses.
    other = _guess(client, 99, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert other.status_code == 404
    # Whatever the first one writes in front of the header, the proxy's entry counts.
    spoofed = _guess(client, 100, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7", **proxy)
    assert spoofed.status_code == 429


@pytest.mark.django_db
def test_a_forwarded_header_is_ignored_without_trusted_proxies(client, settings, steady_window):
    """Reached directly (TRUSTED_PROXY_COUNT=0), anyone can send X-Forwarded-For: a guesser
    who changes it every time is still one address."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    statuses = [
        _guess(
            client, i, REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(21)
    ]
    assert statuses == [404] * 20 + [429]


def test_the_deployment_uses_redis_for_the_counter_when_the_broker_is_redis(monkeypatch):
    import importlib

    import liaison_portal.settings.base as base

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://cache.internal:6379/0")
    monkeypatch.delenv("REDIS_URL", raising=False)
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/0"
        assert reloaded.RATELIMIT_USE_CACHE == "default"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_redis_url_gives_the_cache_its_own_database(monkeypatch):
    import importlib

    import liaison_portal.settings.base as base

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://redis:6379/0")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/1")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://redis:6379/1"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


_COUNT_IN_THE_CONFIGURED_CACHE = """
import os, sys, django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from outreach.selfservice.ratelimit import limited
assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), settings.CACHES
assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"], settings.CACHES
link, times = int(sys.argv[1]), int(sys.argv[2])
request = RequestFactory().post("/s/", REMOTE_ADDR=sys.argv[3])
print(" ".join(str(limited(request, "send", link_pk=link)) for _ in range(times)))
"""


@pytest.mark.skipif(not REDIS, reason="no Redis configured (REDIS_URL or a redis:// broker)")
def test_two_web_processes_share_one_count_through_redis():
    """What gunicorn's workers do: each process has its own cache client, configured from
    REDIS_URL; a guesser spread over them is still stopped at the limit."""
    # A link id and an address of their own: nothing else is touched. The windows are fixed
    # to the clock with an offset per key: a link whose window has two minutes left at least.
    link = next(
        candidate
        for candidate in (uuid.uuid4().int % 10**12 for _ in range(1000))
        if _get_window(str(candidate), 15 * 60) - time.time() > 120
    )
    address = f"10.{link % 250}.{link % 241}.{link % 239}"
    # This test process's own cache database when it has one (each process of a parallel run
    # has its own, tests/conftest.py empties it before each test): no other test empties it.
    own = settings.CACHES["default"]
    redis_url = own["LOCATION"] if own["BACKEND"].endswith("RedisCache") else REDIS
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "memory://",  # the cache's Redis comes from REDIS_URL alone
        # Settings need a database address (else the embedded server starts); none is used.
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
    }

    def web_process(times: int) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _COUNT_IN_THE_CONFIGURED_CACHE, str(link), str(times), address],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    # 3 codes per link in a window: the 4th, in another process, is refused.
    assert web_process(2) == ["False", "False"]
    assert web_process(2) == ["False", "True"]
