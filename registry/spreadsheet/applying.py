"""Write an import's planned rows, batch by batch as they are planned, set-based: a batch's
created and updated rows are COPYed into a temporary table of the import's transaction, and
one statement per table and kind of change writes them from there with their history events,
exactly as the triggers would write them (registry.sql.history), in the import's context.
The statements are in registry.sql.importing.

Python parses a batch while Postgres writes the one before: the writing runs in a thread of
its own, on the import's own database connection and transaction (psycopg2 serialises the
statements of one connection and lets go of the GIL while Postgres works). On two cores that
is the difference between adding the two and taking the longer. At most one batch waits for
the writer, so memory stays bounded; only the written rows' credit codes are kept (the run's
page lists the enterprises written).
"""

from __future__ import annotations

import contextlib
import datetime
import queue
import threading

from django.db import connection

from registry import clock
from registry.models import Enterprise, GridArea
from registry.pinyin import name_pinyin
from registry.spreadsheet.columns import (
    COLUMNS,
    CONTACT_FIELDS,
    ENTERPRISE_FIELDS,
    LIAISON_FIELDS,
)
from registry.spreadsheet.planning import Grids, RowPlan
from registry.sql import annual_reports as annual_reports_sql
from registry.sql import importing as sql
from registry.sql.history import context_id

_ALIAS = {(c.record, c.field): c.alias for c in COLUMNS}
_NEW_ROW = {name: Enterprise._meta.get_field(name).get_default() for name in ENTERPRISE_FIELDS}
_DONE = None  # what tells the writer that no batch follows
# A first fill (a file this long into a registry holding at most half as many enterprises)
# builds the secondary indexes once at the end instead of keeping them up row by row: five
# GIN indexes (trigrams, bigrams) and the b-trees cost more to keep up over 100,000 new rows
# than to build over the table (measured on the enterprises: about 4.5 s of Postgres's time
# to keep up, 2 s to build). Smaller files never lock the tables for it.
FIRST_FILL_ROWS = 20_000
FIRST_FILL_LOCK_MS = 2_000  # how long to wait for readers to let go of the tables


def indexes_aside(cursor, *, rows: int) -> list[str]:
    """Before the first batch, in the import's transaction: for a first fill, drop the
    registry's secondary indexes and foreign keys (registry.sql.importing.set_indexes_aside:
    the tables stay locked until the import ends) and return what ``indexes_back`` builds
    and adds again after the last batch. Otherwise nothing."""
    tables = sql.first_fill_tables(cursor, rows=rows) if rows >= FIRST_FILL_ROWS else []
    if not tables:
        return []
    return sql.set_indexes_aside(cursor, tables, lock_timeout_ms=FIRST_FILL_LOCK_MS)


def indexes_back(cursor, definitions: list[str]) -> None:
    """After the last batch (the writer closed), before the import commits."""
    sql.restore_indexes(cursor, definitions)


class Turns:
    """The import's connection, one user at a time, the caller's thread first: held as a
    context manager by the caller (the planner's read of the next batch's stored rows, a grid
    area created), and by the writer through ``after_callers``, which lets a waiting caller
    go before it. So the next batch is read and planned while this one is written, and the
    writer finds it ready when it is done: Postgres is never idle waiting for the planner's
    read behind a write (a plain lock hands the connection to whichever thread wakes first)."""

    def __init__(self):
        self._turn = threading.Condition()
        self._held = False
        self._callers = 0  # caller threads waiting for their turn

    def __enter__(self):
        with self._turn:
            self._callers += 1
            self._turn.wait_for(lambda: not self._held)
            self._callers -= 1
            self._held = True
        return self

    def __exit__(self, *exc_info):
        with self._turn:
            self._held = False
            self._turn.notify_all()

    @contextlib.contextmanager
    def after_callers(self):
        with self._turn:
            self._turn.wait_for(lambda: not self._held and not self._callers)
            self._held = True
        try:
            yield
        finally:
            self.__exit__()


class Writer:
    """Writes one import's batches, in order, in the caller's transaction. ``close()`` waits
    for the last batch (and raises what went wrong in the writer); call it in a ``finally``
    too, so the thread is done with the connection before the transaction ends."""

    def __init__(self, cursor, grids: Grids, *, present: set[str], today: datetime.date, by=None):
        self.cursor = cursor
        self.grids = grids
        self.created_grids: dict[str, int] = {}
        self.codes: list[str] = []  # the credit codes written, in file order
        self.sequence = sql.id_sequence(cursor, Enterprise)
        sql.stage_create(cursor)
        self.context = context_id(cursor)
        fields = {
            record: [f for f in names if _ALIAS[record, f] in present]
            for record, names in (
                ("enterprise", ENTERPRISE_FIELDS),
                ("liaison", LIAISON_FIELDS),
                ("contact", CONTACT_FIELDS),
            )
        }
        # Built here: the thread has no Django connection of its own, and needs none.
        now = clock.now()
        self.now = now
        self.by_id = getattr(by, "pk", None)  # who the annual reports' rows name
        self.writes = sql.writes(fields=fields, grid="grid" in present, today=today, now=now)
        self.copy = sql.copy_statement()
        self.raw = connection.connection  # the psycopg2 connection of this transaction
        # Held while a batch is written, and by the caller's thread whenever it uses the
        # connection meanwhile (``busy``): psycopg2 serialises single statements, not a COPY
        # (its data follows the statement), and the history switch is on during parts of a
        # batch (a grid area created meanwhile would lose its trigger).
        self.busy = Turns()
        self.batches: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="registry-import-writer")
        self.thread.start()

    def add(self, plans: list[RowPlan]) -> None:
        """Stage and write the batch's created and updated rows (waits while the writer is
        still busy with the batch before the previous one)."""
        if self.error is not None:
            self.close()
        staged = [plan for plan in plans if plan.status != "unchanged"]
        if not staged:
            return
        self._create_grids(staged)
        # A new enterprise's id is given in SQL with its batch (sql.stage_ids): its report
        # names its row in the file, the upsert finds the id in the staging table.
        reports = [(plan.parsed.row, *plan.annual_report) for plan in staged if plan.annual_report]
        self.batches.put((sql.stage_csv(self._row(plan) for plan in staged), reports))
        self.codes.extend(plan.parsed.uscc for plan in staged)

    def close(self) -> list[str]:
        """Wait for the writer to finish; return the credit codes written, in file order."""
        if self.thread.is_alive():
            self.batches.put(_DONE)
            self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return self.codes

    def _run(self) -> None:
        cursor = None
        try:
            cursor = self.raw.cursor()
        except BaseException as error:  # raised by close() in the caller's thread
            self.error = error
        # Takes every batch until told to stop, even after a failure: add() never waits for
        # a writer that is gone.
        while (batch := self.batches.get()) is not _DONE:
            if self.error is not None:
                continue
            try:
                with self.busy.after_callers():
                    self._write(cursor, *batch)
            except BaseException as error:
                self.error = error
        if cursor is not None:
            cursor.close()

    def _write(self, cursor, buffer, reports) -> None:
        sql.stage_clear(cursor)
        cursor.copy_expert(self.copy, buffer)
        sql.stage_ids(cursor, self.sequence)
        for write in self.writes:
            write.run(cursor, context=self.context)
        # After the enterprises (a new one's report refers to it); a statement of its own.
        annual_reports_sql.upsert(cursor, reports, by_id=self.by_id, now=self.now)

    def _create_grids(self, staged: list[RowPlan]) -> None:
        """Create the new grid areas these rows name, each with a code of its own made from its
        name (ORM: their history is the triggers')."""
        names = {
            plan.parsed.grid: None
            for plan in staged
            if self.grids.is_new(plan.parsed.grid) and plan.parsed.grid not in self.created_grids
        }
        if not names:
            return
        taken = self.grids.codes
        created = []
        for name in names:
            code, n = name[:32], 1
            while code in taken:
                n += 1
                code = f"{name[:26]}-{n}"
            taken.add(code)
            created.append(GridArea(code=code, name=name))
        with self.busy:
            for grid in GridArea.objects.bulk_create(created):
                self.created_grids[grid.name] = grid.pk

    def _grid_id(self, grid: str | None) -> int | None:
        if not grid:
            return None
        return self.grids.id_of(grid) or self.created_grids.get(grid)

    def _row(self, plan: RowPlan) -> list:
        """One row of the staging table, in sql.stage_columns() order."""
        parsed = plan.parsed
        return [
            parsed.row,
            parsed.uscc,
            plan.status,
            plan.enterprise_id,
            plan.enterprise_changed,
            self._grid_id(parsed.grid),
            # A new enterprise takes the model's default for a column the file does not have.
            *(parsed.enterprise.get(name, _NEW_ROW[name]) for name in ENTERPRISE_FIELDS),
            name_pinyin(parsed.enterprise.get("name", "")),
            plan.liaison_action,
            plan.liaison_id,
            *(parsed.liaison.get(name, "") for name in LIAISON_FIELDS),
            plan.contact_action,
            plan.contact_id,
            *(parsed.contact.get(name, "") for name in CONTACT_FIELDS),
        ]
