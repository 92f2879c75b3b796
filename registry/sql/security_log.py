"""The switch the security log's DELETE trigger reads (registry.models.SecurityEvent): off,
the trigger refuses every DELETE; the purge (registry.security_log.security_log_purge) turns
it on for its own transaction only."""

from __future__ import annotations

import contextlib

from django.db import connection

PURGE_SWITCH = "portal.security_log_purge"


@contextlib.contextmanager
def purge_allowed():
    """Inside the caller's transaction: the DELETEs between let through (the trigger's floor
    of 183 days still holds), then the switch off again."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT set_config('{PURGE_SWITCH}', 'on', true)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT set_config('{PURGE_SWITCH}', 'off', true)")
