"""The guess counter, on the shared Redis the deployment uses (and on the local cache)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from outreach.selfservice import ratelimit
from tests.workers import database_url

BROKER = os.environ.get("CELERY_BROKER_URL", "")
# The Redis the cache would use: REDIS_URL, else a Redis broker (CI's second pass).
REDIS = os.environ.get("REDIS_URL", "") or (BROKER if BROKER.startswith("redis://") else "")
ROOT = Path(__file__).resolve().parents[2]


def _caches():
    yield LocMemCache(f"rl-{uuid.uuid4()}", {})
    if REDIS:
        yield RedisCache(REDIS, {"KEY_PREFIX": f"test-rl-{uuid.uuid4()}"})


@pytest.mark.parametrize("backend", list(_caches()), ids=lambda c: type(c).__name__)
def test_the_limit_counts_per_key_and_window(backend, monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", backend)
    hits = [ratelimit.limit_hit("code:ip:10.0.0.1", limit=3, window_seconds=60) for _ in range(5)]
    assert hits == [False, False, False, True, True]
    # Another address has its own count.
    assert not ratelimit.limit_hit("code:ip:10.0.0.2", limit=3, window_seconds=60)


def test_the_deployment_uses_redis_for_the_counter_when_the_broker_is_redis(monkeypatch):
    import importlib

    import liaison_portal.settings.base as base

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://cache.internal:6379/0")
    monkeypatch.delenv("REDIS_URL", raising=False)
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/0"
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
from outreach.selfservice.ratelimit import limit_hit
assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), settings.CACHES
assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"], settings.CACHES
key, times = sys.argv[1], int(sys.argv[2])
print(" ".join(str(limit_hit(key, limit=4, window_seconds=60)) for _ in range(times)))
"""


@pytest.mark.skipif(not REDIS, reason="no Redis configured (REDIS_URL or a redis:// broker)")
def test_two_web_processes_share_one_count_through_redis():
    """What gunicorn's workers do: each process has its own cache client, configured from
    REDIS_URL; a guesser spread over them is still stopped at the limit."""
    key = f"check:ip:test-{uuid.uuid4().hex}"  # its own key: nothing else is touched
    env = {
        **os.environ,
        "REDIS_URL": REDIS,
        "CELERY_BROKER_URL": "memory://",  # the cache's Redis comes from REDIS_URL alone
        # Settings need a database address (else the embedded server starts); none is used.
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
    }

    def web_process(times: int) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _COUNT_IN_THE_CONFIGURED_CACHE, key, str(times)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert web_process(3) == ["False", "False", "False"]
    assert web_process(2) == ["False", "True"]  # the 5th in the window, in another process
