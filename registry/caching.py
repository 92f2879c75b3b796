"""Cached reads that survive a cache outage.

The cache (Redis in production) only saves work: when it is down, a staff page computes what
it would have read and works, slower, instead of answering a server error. The rate limits of
the liaison's pages are the other kind of cache use, where an outage must not be ignored
(outreach/selfservice/ratelimit.py).
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What a cache that is down raises: redis-py's errors, and the socket's own.
CACHE_ERRORS = (RedisError, OSError)
_MISSING = object()
T = TypeVar("T")


def cached(key: str, compute: Callable[[], T], *, timeout: int) -> T:
    """The value cached under ``key``, else ``compute()`` (stored for ``timeout`` seconds
    when the cache is up)."""
    try:
        value = cache.get(key, _MISSING)
    except CACHE_ERRORS as error:
        logger.warning("cache unavailable, computing %s: %s", key, error)
        return compute()
    if value is not _MISSING:
        return value
    value = compute()
    try:
        cache.set(key, value, timeout=timeout)
    except CACHE_ERRORS as error:
        logger.warning("cache unavailable, not storing %s: %s", key, error)
    return value
