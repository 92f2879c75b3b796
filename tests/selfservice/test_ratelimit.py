"""The guess counter, on the shared Redis the deployment uses (and on the local cache)."""

import os
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from outreach.selfservice import ratelimit

BROKER = os.environ.get("CELERY_BROKER_URL", "")


def _caches():
    yield LocMemCache(f"rl-{uuid.uuid4()}", {})
    if BROKER.startswith("redis://"):
        yield RedisCache(BROKER, {"KEY_PREFIX": f"test-rl-{uuid.uuid4()}"})


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
