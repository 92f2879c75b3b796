"""Run by tests/liaison_portal/test_replica_streaming.py in a process of its own, configured as
production would be: DATABASE_URL the primary, DATABASE_REPLICA_URL its streaming replica (or
an address where nothing answers). Prints one JSON line: what ran where.

    python -m tests.liaison_portal.replica_probe routing|fallback
"""

import json
import logging
import os
import sys
import time


def _recorder(alias: str, log: list):
    def record(execute, sql, params, many, context):
        log.append((alias, sql if isinstance(sql, str) else str(sql)))
        return execute(sql, params, many, context)

    return record


def _tables_on(log: list, alias: str) -> set[str]:
    import re

    return {
        table for where, sql in log if where == alias for table in re.findall(r'FROM "(\w+)"', sql)
    }


def _staff_client():
    from django.test import Client

    from registry.roles import Role, role_group
    from tests.factories import UserFactory

    user = UserFactory(username=f"probe_{time.monotonic_ns()}")
    user.groups.set([role_group(Role.STAFF)])
    client = Client()
    client.force_login(user)
    return client


def _wait_replayed(timeout: float = 20) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise TimeoutError("the replica did not catch up")


def routing() -> dict:
    from django.core.signals import request_started
    from django.db import connections
    from django.urls import reverse

    from core.replica import reads_from_replica
    from registry.models import Enterprise, GridArea
    from tests.factories import EnterpriseFactory

    out: dict = {}
    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            out[f"{alias}_in_recovery"] = cursor.fetchone()[0]

    client = _staff_client()
    _wait_replayed()  # the user and their session, for the pages that read them there
    log: list = []
    with (
        connections["default"].execute_wrapper(_recorder("default", log)),
        connections["replica"].execute_wrapper(_recorder("replica", log)),
    ):
        # The dashboard (home): its figures from the replica, the session from the primary.
        response = client.get("/")
        out["home_status"] = response.status_code
        out["home_tables_replica"] = sorted(_tables_on(log, "replica"))
        out["home_tables_default"] = sorted(_tables_on(log, "default"))

        # The registry export and the desk's metrics (page and export): read on the replica.
        for name, url in (
            ("export", reverse("registry:export") + "?format=csv"),
            ("metrics", reverse("outreach:matters:metrics")),
            ("metrics_export", reverse("outreach:matters:metrics_export") + "?format=csv"),
        ):
            log.clear()
            response = client.get(url)
            out[f"{name}_status"] = response.status_code
            out[f"{name}_replica_queries"] = sum(1 for where, _sql in log if where == "replica")
        log.clear()

        # The API's list while the replica is held back: an enterprise written to the primary
        # is missing from the list (the replica's) until replay resumes.
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        try:
            before = client.get("/api/enterprises/").json()["count"]
            fresh = EnterpriseFactory()
            out["fresh_on"] = fresh._state.db
            held = client.get("/api/enterprises/").json()["count"]
            # An unmarked read (the enterprise's own page in the API) sees it at once.
            out["detail_status"] = client.get(f"/api/enterprises/{fresh.uscc}/").status_code
        finally:
            with connections["replica"].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume()")
        _wait_replayed()
        after = client.get("/api/enterprises/").json()["count"]
        out["list_counts"] = [before, held, after]

        # One unit of work (a request, as the handler starts it): a marked read from the
        # replica; a write, to the primary; the same marked read again, now from the primary.
        request_started.send(sender=None)
        with reads_from_replica():
            first = Enterprise.objects.all()
            first_count, out["read_before_write_on"] = first.count(), first.db
            grid = GridArea.objects.create(code=f"P{time.monotonic_ns() % 10**6}", name="probe")
            out["write_on"] = grid._state.db
            again = Enterprise.objects.all()
            out["read_after_write_on"] = again.db
            out["read_after_write_count"] = again.count() == first_count
        request_started.send(sender=None)  # the next request starts clean
        with reads_from_replica():
            out["next_request_read_on"] = Enterprise.objects.all().db
    return out


def fallback() -> dict:
    from django.db import connections

    warnings: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    logging.getLogger("liaison_portal.db_router").addHandler(Keep(level=logging.WARNING))
    client = _staff_client()
    log: list = []
    with connections["default"].execute_wrapper(_recorder("default", log)):
        started = time.monotonic()
        first = client.get("/")
        second = client.get("/api/enterprises/")
        elapsed = time.monotonic() - started
    return {
        "statuses": [first.status_code, second.status_code],
        "tables_default": sorted(_tables_on(log, "default")),
        "warnings": warnings,
        "seconds": elapsed,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison_portal.settings.test")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    result = {"routing": routing, "fallback": fallback}[argv[0]]()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
