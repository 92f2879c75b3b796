"""Which reads may come from the PostgreSQL streaming replica (DATABASE_REPLICA_URL).

Reads go to the primary unless the code says otherwise: a read that tolerates a few seconds of
lag (the dashboard, the API's lists, exports, the desk's metrics) runs inside
``reads_from_replica()``. Even there the router (``liaison_portal.db_router``) keeps it on the
primary inside a transaction, once the request (or Celery task) has written, and while the
replica is unreachable; without a replica configured nothing changes.

Raw SQL does not pass through the router: a marked read that uses a cursor takes it from
``read_connection(Model)``, not ``django.db.connection``.

Here, not in liaison_portal, because every app marks its own reads and no app may import the
project package; the state is per context (a request's thread, a task), kept in context
variables.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router

_marked: ContextVar[int] = ContextVar("replica_reads_marked", default=0)
_wrote: ContextVar[bool] = ContextVar("primary_written", default=False)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """``with reads_from_replica():`` or ``@reads_from_replica()``: the reads inside tolerate a
    few seconds of replication lag."""
    token = _marked.set(_marked.get() + 1)
    try:
        yield
    finally:
        _marked.reset(token)


def replica_reads_marked() -> bool:
    """Is the code running inside ``reads_from_replica()``?"""
    return _marked.get() > 0


def primary_written() -> None:
    """Something was written to the primary: this request or task reads its own writes from
    the primary from now on (set by the router and by a hook on the primary's connection)."""
    if not _wrote.get():
        _wrote.set(True)


def primary_has_been_written() -> bool:
    return _wrote.get()


def primary_writes_forget() -> None:
    """A new request or task starts: nothing written yet."""
    _wrote.set(False)


def read_connection(model):
    """The connection a marked raw-SQL read of ``model``'s tables should use."""
    return connections[router.db_for_read(model)]
