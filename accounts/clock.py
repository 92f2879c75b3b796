"""The one reading of Python's clock. It lives in the lowest app so that accounts (which
imports no domain app, docs/ARCHITECTURE.md) reads the same clock as everyone else;
``registry.clock`` builds the park's date and calendar arithmetic on it, and everything
above accounts reads ``registry.clock``."""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current instant, timezone-aware."""
    return timezone.now()
