"""A fixed-window counter in Django's cache, for guesses at links and codes.

The cache is Redis when the portal has one (settings: CACHES), shared by every web process;
without Redis it is per process, which still slows a guesser down on a single-server install.
"""

from django.core.cache import cache


def limit_hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more event under ``key``; True once more than ``limit`` fell in the window."""
    key = f"selfservice-rl:{key}"
    # add() starts the window only when the key is new; incr() is atomic in Redis.
    if cache.add(key, 1, timeout=window_seconds):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
