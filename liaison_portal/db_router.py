"""Reads that tolerate lag go to the PostgreSQL streaming replica (DATABASE_REPLICA_URL).

Installed only when the replica is configured (settings: the ``replica`` alias). The primary
is the default for everything; a read goes to the replica only when all of these hold:

- the code marked it lag-tolerant (``core.replica.reads_from_replica``);
- no transaction is open on the primary (what it holds, uncommitted, is not on the replica;
  a test's own transaction counts too, so the ordinary suite reads what it wrote);
- this request or Celery task has written nothing to the primary yet (read-after-write: any
  statement but a read on the primary's connection pins the rest of it to the primary; the
  mark is cleared when the next one starts);
- the replica answers: a connection that cannot be opened logs a warning and sends reads to
  the primary for ``DATABASE_REPLICA_RETRY_SECONDS`` before the next try, rather than a 500.

django-multidb-router was considered: it sends every read to the replicas (opt-out, not
opt-in), pins by cookie after a write, and has no transaction rule or fallback.
"""

import logging
import re
import threading
import time

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.signals import connection_created

from core import replica

REPLICA = "replica"

logger = logging.getLogger(__name__)

# Statements that only read. Anything else run on the primary's connection (INSERT, UPDATE,
# DELETE, COPY, SAVEPOINT, a CTE that writes, a call of a function by SELECT is a read) pins.
_READ = re.compile(r"\s*(SELECT|SHOW|EXPLAIN|WITH)\b", re.IGNORECASE)
_WRITE_IN_CTE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def statement_reads_only(sql) -> bool:
    if not isinstance(sql, str):  # a psycopg Composed statement: assume it writes
        return False
    # pghistory and pgtrigger put "SELECT set_config(...); " before the statement they carry
    # context for (every logged-in request has pghistory's): each part must be a read. A ";"
    # inside a literal can only make a read look like a write, which is the safe side.
    return all(_part_reads_only(part) for part in sql.split(";") if part.strip())


def _part_reads_only(sql: str) -> bool:
    match = _READ.match(sql)
    if match is None:
        return False
    return match.group(1).upper() != "WITH" or _WRITE_IN_CTE.search(sql) is None


class _Availability:
    """Per process: when the replica last failed to connect, reads skip it for a while."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0

    def reachable(self) -> bool:
        if time.monotonic() < self.down_until:
            return False
        try:
            connections[REPLICA].ensure_connection()
        except DatabaseError as error:
            retry = settings.DATABASE_REPLICA_RETRY_SECONDS
            with self.lock:
                self.down_until = time.monotonic() + retry
            logger.warning(
                "The read replica cannot be reached (%s); lag-tolerant reads go to the primary "
                "for the next %s s.",
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
                retry,
            )
            return False
        return True

    def forget(self) -> None:
        with self.lock:
            self.down_until = 0.0


availability = _Availability()


def replica_allowed() -> bool:
    """May a read go to the replica now? (The rules of this module's docstring.)"""
    return (
        replica.replica_reads_marked()
        and replica_configured()
        and not replica.primary_has_been_written()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and availability.reachable()
    )


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if replica_allowed() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Not yet a write: get_or_create() and select_for_update() ask here before a read.
        # The statements themselves pin (watch_primary_writes).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # An object read from the replica is the same row as on the primary.
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA, None} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica replays the primary's WAL, migrations included.
        return False if db == REPLICA else None


def _note_writes(execute, sql, params, many, context):
    if many or not statement_reads_only(sql):
        replica.primary_written()
    return execute(sql, params, many, context)


def watch_primary_writes(sender, connection, **kwargs) -> None:
    """connection_created: every statement on the primary's connection passes _note_writes."""
    if connection.alias == DEFAULT_DB_ALIAS and _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def unwatch_primary_writes(connection) -> None:
    if _note_writes in connection.execute_wrappers:
        connection.execute_wrappers.remove(_note_writes)


def forget_writes(**kwargs) -> None:
    """request_started, Celery's task_prerun: a new unit of work has written nothing yet."""
    replica.primary_writes_forget()


def connect_signals() -> None:
    """From the app's ready(), when the replica is configured."""
    connection_created.connect(watch_primary_writes, dispatch_uid="replica-watch-writes")
    request_started.connect(forget_writes, dispatch_uid="replica-forget-writes")
    from celery.signals import task_prerun

    task_prerun.connect(forget_writes, dispatch_uid="replica-forget-writes", weak=False)
    # A connection opened before ready() (rare: a check at start-up) is watched too.
    if DEFAULT_DB_ALIAS in connections.settings:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.connection is not None:
            watch_primary_writes(None, connection)
