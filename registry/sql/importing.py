"""Every SQL statement of the registry import, in one place, with table and column names from
the models' ``_meta`` (issue #17): the registry read by credit code for a batch, the staging
table the import fills by COPY, and the set-based statements that write the staged rows with
their history events (registry.sql.history).

Each INSERT names its columns: the file's, the staged ids, and the model's other concrete
columns with the model's defaults (a generated column is never written; a nullable column
without a default is left NULL). performance-notes.md: COPY into a temporary table and one
``INSERT … SELECT`` / ``UPDATE … FROM`` per table is what writes 100,000 rows in seconds;
``bulk_update`` over many fields is slower than ``save()``.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction

from registry.models import (
    AnnualReport,
    EmergencyContact,
    Enterprise,
    GridArea,
    ImportRun,
    Liaison,
)
from registry.spreadsheet.columns import CONTACT_FIELDS, ENTERPRISE_FIELDS, LIAISON_FIELDS
from registry.sql.fragments import current_liaison_join
from registry.sql.history import event_model, write_with_history
from registry.sql.names import Table

STAGE = "registry_import_stage"  # a temporary table of the import's transaction


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _column(model, name: str) -> str:
    return _q(model._meta.get_field(name).column)


# --- The registry as stored, for a batch of credit codes --------------------------------------


@dataclass
class Stored:
    enterprises: dict[str, dict]  # credit code -> {"id", "grid", the file's fields}
    liaisons: dict[int, dict]  # enterprise id -> its current liaison {"id", the file's fields}
    contacts: dict[int, dict]  # enterprise id -> its emergency contact {"id", the file's fields}


def _fetch(statement: str, params, *, bitmap_scans: bool = True) -> list[tuple]:
    """The rows of one query. ``bitmap_scans=False``: for a look-up by a key that a trigram
    index covers too (the credit code): Postgres takes the trigram GIN for ``= ANY(5,000
    codes)`` when it misjudges the table's size (a registry emptied or just filled in this
    transaction, before any ANALYZE), and one batch then takes 40 s instead of 10 ms; the
    unique b-tree needs no bitmap."""
    with transaction.atomic(), connection.cursor() as cursor:
        if not bitmap_scans:
            cursor.execute(
                "SELECT current_setting('enable_bitmapscan'), "
                "set_config('enable_bitmapscan', 'off', true)"
            )
            (before, _off) = cursor.fetchone()
        cursor.execute(statement, params)
        rows = cursor.fetchall()
        if not bitmap_scans:  # back as it was, for the rest of the transaction
            cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [before])
        return rows


def stored_records(codes: list[str], *, lock: bool) -> Stored:
    """The stored enterprises of these credit codes, their current liaisons and emergency
    contacts: three queries. ``lock``: FOR UPDATE (an edit made meanwhile waits for the
    import instead of being overwritten by a plan made before it)."""
    stored = Stored({}, {}, {})
    if not codes:
        return stored
    lock_sql = " FOR UPDATE" if lock else ""
    e_cols = ", ".join(_column(Enterprise, f) for f in ENTERPRISE_FIELDS)
    rows = _fetch(
        f"SELECT {_column(Enterprise, 'id')}, {_column(Enterprise, 'uscc')}, "
        f"{_column(Enterprise, 'grid')}, {e_cols} FROM {_table(Enterprise)} "
        f"WHERE {_column(Enterprise, 'uscc')} = ANY(%s){lock_sql}",
        [codes],
        bitmap_scans=False,
    )
    for pk, uscc, grid_id, *values in rows:
        stored.enterprises[uscc] = {
            "id": pk,
            "grid": grid_id,
            **dict(zip(ENTERPRISE_FIELDS, values, strict=True)),
        }
    ids = [record["id"] for record in stored.enterprises.values()]
    for model, fields, into, current in (
        (Liaison, LIAISON_FIELDS, stored.liaisons, f" AND {_column(Liaison, 'ended_on')} IS NULL"),
        (EmergencyContact, CONTACT_FIELDS, stored.contacts, ""),
    ):
        cols = ", ".join(_column(model, f) for f in fields)
        for pk, enterprise_id, *values in _fetch(
            f"SELECT {_column(model, 'id')}, {_column(model, 'enterprise')}, {cols} "
            f"FROM {_table(model)} WHERE {_column(model, 'enterprise')} = ANY(%s)"
            f"{current}{lock_sql}",
            [ids],
        ):
            into[enterprise_id] = {"id": pk, **dict(zip(fields, values, strict=True))}
    return stored


def run_progress(cursor, *, run_id: int, percent: int, at: datetime.datetime) -> None:
    """A run's progress and the renewal of its worker's lease (runs._ProgressWriter, on a
    connection of its own)."""
    cursor.execute(
        f"UPDATE {_table(ImportRun)} SET {_column(ImportRun, 'progress')} = %s, "
        f"{_column(ImportRun, 'heartbeat_at')} = %s WHERE {_column(ImportRun, 'id')} = %s",
        [percent, at, run_id],
    )


def lock_imports(cursor) -> None:
    """One import at a time, until the transaction ends."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registry_import'))")


# --- The staging table ------------------------------------------------------------------------


def _type(model, name: str) -> str:
    return model._meta.get_field(name).db_type(connection)


def stage_columns() -> list[tuple[str, str]]:
    """The staging table's columns (name, SQL type), in the order of a staged row: one row
    per created or updated enterprise, with what the plan decided for it and the file's values
    (``e_``, ``l_``, ``c_``: the enterprise's, the liaison's, the emergency contact's)."""
    ids = Enterprise._meta.pk.rel_db_type(connection)
    return [
        ("file_row", "integer"),  # the row as Excel numbers it
        ("uscc", _type(Enterprise, "uscc")),
        ("status", "text"),  # "new" | "updated"
        ("enterprise_id", ids),
        ("enterprise_changed", "boolean"),
        ("grid_id", _type(Enterprise, "grid")),
        *((f"e_{name}", _type(Enterprise, name)) for name in ENTERPRISE_FIELDS),
        # The name's pinyin, computed by the planner's side (registry.pinyin: not in SQL).
        ("e_name_pinyin", _type(Enterprise, "name_pinyin")),
        ("liaison_action", "text"),  # "create" | "replace" | "update" | NULL
        ("liaison_id", Liaison._meta.pk.rel_db_type(connection)),
        *((f"l_{name}", _type(Liaison, name)) for name in LIAISON_FIELDS),
        ("contact_action", "text"),  # "create" | "update" | NULL
        ("contact_id", EmergencyContact._meta.pk.rel_db_type(connection)),
        *((f"c_{name}", _type(EmergencyContact, name)) for name in CONTACT_FIELDS),
    ]


def stage_create(cursor) -> None:
    columns = ", ".join(f"{_q(name)} {kind}" for name, kind in stage_columns())
    # A second import in the same transaction (tests; a caller's own atomic block) finds the
    # first one's table still there: temporary tables live until the transaction ends.
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns}) ON COMMIT DROP")


_NULL = r"\N"
_VALUES = ("e_", "l_", "c_")  # the stage's columns holding the file's values


def stage_csv(rows: Iterable[list]) -> io.StringIO:
    """Rows (in stage_columns() order) as COPY reads them (copy_statement()). CSV as Python
    writes it: True/False and ISO dates are what Postgres reads; only None needs its NULL
    mark, and the file's values are never taken for it (a cell may hold the text \\N)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([_NULL if value is None else value for value in row] for row in rows)
    buffer.seek(0)
    return buffer


def copy_statement() -> str:
    columns = [name for name, _kind in stage_columns()]
    names = ", ".join(_q(name) for name in columns)
    values = ", ".join(_q(name) for name in columns if name == "uscc" or name[:2] in _VALUES)
    return (
        f"COPY {STAGE} ({names}) FROM STDIN "
        f"WITH (FORMAT csv, NULL '\\N', FORCE_NOT_NULL ({values}))"
    )


def stage_clear(cursor) -> None:
    """Empty the staging table for the next batch."""
    cursor.execute(f"TRUNCATE {STAGE}")


def stage_drop(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def id_sequence(cursor, model) -> str:
    """The sequence of ``model``'s ids (its identity column's)."""
    cursor.execute(
        "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
    )
    return cursor.fetchone()[0]


def stage_ids(cursor, sequence: str) -> None:
    """Give the staged new enterprises their ids from ``sequence``, ascending in file order:
    what the rows would have taken one by one. Done by the writer, with the batch: the rows
    that refer to a new enterprise are written with its id, no look-up after."""
    cursor.execute(
        f"WITH new AS (SELECT file_row, row_number() OVER (ORDER BY file_row) AS n "
        f"FROM {STAGE} WHERE status = 'new'), "
        f"ids AS (SELECT row_number() OVER (ORDER BY id) AS n, id FROM (SELECT "
        f"nextval(%s::regclass) AS id FROM generate_series(1, (SELECT count(*) FROM new))) i) "
        f"UPDATE {STAGE} s SET enterprise_id = ids.id FROM new JOIN ids USING (n) "
        f"WHERE s.file_row = new.file_row",
        [sequence],
    )


# --- A first fill: the search indexes built once, not kept up row by row ----------------------


def _count(cursor, model, *, up_to: int) -> int:
    """How many rows ``model``'s table holds, counted up to ``up_to`` (enough to decide)."""
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {_table(model)} LIMIT %s) s", [up_to])
    return cursor.fetchone()[0]


# The tables whose secondary indexes a first fill may set aside: enterprises and liaisons,
# the rows it writes, and their history tables when these hold few events yet (they keep
# every earlier event too, so that is decided table by table).
_FILLED = (Enterprise, Liaison)
_FILLED_HISTORY = tuple(event_model(model) for model in _FILLED)
_LOCK_NOT_AVAILABLE = "55P03"
# Kept up row by row even in a first fill: the pinyin initials' bigrams, an expression
# calling the SQL function portal_bigrams for every row, cost a CREATE INDEX ~1.9 s of
# Postgres's time over 100,000 rows and their upkeep ~2.5 s (measured), but the upkeep runs
# beside the planner's Python instead of alone after the last batch (wall measured lower).
KEPT_UP = ("enterprise_initials_bigram",)


def first_fill_tables(cursor, *, rows: int) -> list[str]:
    """The tables whose secondary indexes are built faster once after writing a file of
    ``rows`` rows than kept up row by row: none unless the registry holds at most half as
    many enterprises as the file has rows (a first fill); then the enterprises' and the
    liaisons', and each history table holding at most half as many events."""
    half = rows // 2
    if _count(cursor, Enterprise, up_to=half + 1) > half:
        return []
    history = [m for m in _FILLED_HISTORY if _count(cursor, m, up_to=half + 1) <= half]
    return [model._meta.db_table for model in (*_FILLED, *history)]


def _tables() -> list[str]:
    return [model._meta.db_table for model in (*_FILLED, *_FILLED_HISTORY)]


def set_indexes_aside(cursor, tables: list[str], *, lock_timeout_ms: int) -> list[str]:
    """Drop the secondary indexes of these tables (first_fill_tables; not the
    primary keys, the unique indexes and those behind a constraint: the import relies on
    them) and return their definitions, for ``restore_indexes``. Transactional: an import
    that rolls back leaves them as they were. DROP INDEX locks the tables (ACCESS EXCLUSIVE)
    until the transaction ends: readers wait for the import instead of reading beside it.
    Taken within ``lock_timeout_ms``, or nothing is dropped (a reader holds the table) and
    the import keeps the indexes up as it writes."""
    cursor.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname), pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
        "AND i.indisvalid AND i.indisready "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "AND c.relname <> ALL(%s) ORDER BY 1",
        [tables, list(KEPT_UP)],
    )
    indexes = cursor.fetchall()
    if not indexes:
        return []
    cursor.execute("SELECT current_setting('lock_timeout')")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{lock_timeout_ms}ms"])
    try:
        if not _dropped([f"DROP INDEX {name}" for name, _definition in indexes], cursor):
            return []
        restore = [definition for _name, definition in indexes]
        restore += _foreign_keys_aside(cursor, tables)
    finally:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    return restore


def _dropped(statements: list[str], cursor) -> bool:
    """Run these DROP statements in a savepoint: all, or none when a lock was not had within
    the lock timeout (a reader holds a table)."""
    try:
        with transaction.atomic():  # a savepoint: a lock not had rolls back to it
            for statement in statements:
                cursor.execute(statement)
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) != _LOCK_NOT_AVAILABLE:
            raise
        return False
    return True


def _foreign_keys_aside(cursor, tables: list[str]) -> list[str]:
    """Drop the foreign keys of these tables and return the statements adding them again:
    re-added after the last batch, each checks every row in one join, where kept they check
    the rows one by one (a deferred trigger event per row and key, ~1 s of Postgres's time
    over 100,000 rows). Dropping one locks the table it refers to (the grid areas', the
    buildings') until the import ends; not had within the lock timeout, the keys stay and
    check the rows as before."""
    cursor.execute(
        "SELECT format('%%s', k.conrelid::regclass), format('%%I', k.conname), "
        "pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "WHERE k.conrelid = ANY(%s::regclass[]) AND k.contype = 'f' ORDER BY 1, 2",
        [tables],
    )
    keys = cursor.fetchall()
    drops = [f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name, _d in keys]
    if not keys or not _dropped(drops, cursor):
        return []
    return [f"ALTER TABLE {table} ADD CONSTRAINT {name} {d}" for table, name, d in keys]


def restore_indexes(cursor, definitions: list[str]) -> None:
    """Build the indexes ``set_indexes_aside`` dropped, as they were, then add its foreign
    keys again (each checks every row in one join), in the import's transaction. CREATE
    INDEX and ALTER TABLE refuse a table with trigger events still pending: the deferred
    foreign-key checks of the rows written (those of keys kept) are run first (as the
    commit would run them), then those constraints deferred again."""
    if not definitions:
        return
    cursor.execute(
        "SELECT DISTINCT format('%%I.%%I', n.nspname, k.conname), t.tginitdeferred "
        "FROM pg_trigger t JOIN pg_constraint k ON k.oid = t.tgconstraint "
        "JOIN pg_namespace n ON n.oid = k.connamespace "
        "WHERE t.tgrelid = ANY(%s::regclass[]) AND t.tgdeferrable",
        [_tables()],
    )
    constraints = cursor.fetchall()
    if constraints:
        names = ", ".join(name for name, _deferred in constraints)
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    # The builds sort in memory rather than on disk (the session's default is small).
    cursor.execute(
        "SELECT current_setting('maintenance_work_mem'), "
        "set_config('maintenance_work_mem', '256MB', true)"
    )
    (before, _set) = cursor.fetchone()
    for definition in definitions:
        cursor.execute(definition)
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [before])
    deferred = ", ".join(name for name, initially in constraints if initially)
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")


# --- Writing the staged rows, with their history ----------------------------------------------


def _defaults(model, filled: set[str], *, now: datetime.datetime) -> dict[str, object]:
    """The model's other columns as a new row takes them: its defaults (``now`` for the
    automatic timestamps). A generated column is never written, a nullable column without a
    default is left NULL."""
    values: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in filled or getattr(field, "generated", False):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.column] = now
        elif field.has_default() or not field.null:
            default = field.get_default()
            values[field.column] = str(default) if isinstance(default, str) else default
    return values


@dataclass(frozen=True)
class Write:
    """One set-based statement over the staged rows; run, it writes their history events too,
    as the triggers would (registry.sql.history)."""

    model: type
    statement: str  # an INSERT or UPDATE of the model's table aliased t, without RETURNING
    params: list
    label: str  # the history events' label: "insert" | "update"

    def run(self, cursor, *, context) -> None:
        write_with_history(
            cursor, self.model, self.statement, self.params, label=self.label, context=context
        )


def _insert(model, staged: dict[str, str], where: str, *, now, fixed: dict | None = None) -> Write:
    """INSERT a row of ``model`` per staged row matching ``where``: ``staged`` maps a field
    name to the stage's column giving it, ``fixed`` a field name to a value for every row;
    the model's other columns take their defaults."""
    fixed = fixed or {}
    columns = {model._meta.get_field(name).column: f"s.{_q(src)}" for name, src in staged.items()}
    params = []
    for name, value in fixed.items():
        columns[model._meta.get_field(name).column] = "%s"
        params.append(value)
    filled = set(staged) | set(fixed)
    for column, value in _defaults(model, filled, now=now).items():
        columns.setdefault(column, "%s")
        params.append(value)
    names = ", ".join(_q(column) for column in columns)
    return Write(
        model,
        f"INSERT INTO {_table(model)} AS t ({names}) "
        f"SELECT {', '.join(columns.values())} FROM {STAGE} s WHERE {where} ORDER BY s.file_row",
        params,
        "insert",
    )


def _update(model, staged: dict[str, str], key: str, where: str, *, now) -> list[Write]:
    """UPDATE the rows of ``model`` whose id is the stage's ``key`` column, for the staged rows
    matching ``where``: each field in ``staged`` from its stage column; the version counted
    up and ``updated_at`` set, as every write of the registry does. Nothing without fields."""
    if not staged:
        return []
    assignments = ", ".join(f"{_column(model, name)} = s.{_q(src)}" for name, src in staged.items())
    version, updated_at = _column(model, "version"), _column(model, "updated_at")
    statement = (
        f"UPDATE {_table(model)} t SET {assignments}, {version} = t.{version} + 1, "
        f"{updated_at} = %s FROM {STAGE} s WHERE {where} AND t.{_column(model, 'id')} = s.{key}"
    )
    return [Write(model, statement, [now], "update")]


def _end_liaisons(*, today: datetime.date, now) -> Write:
    """End the current liaisons the file replaces by another person (never before they
    started)."""
    ended_on, started_on = _column(Liaison, "ended_on"), _column(Liaison, "started_on")
    version, updated_at = _column(Liaison, "version"), _column(Liaison, "updated_at")
    return Write(
        Liaison,
        f"UPDATE {_table(Liaison)} t SET {ended_on} = GREATEST(%s, t.{started_on}), "
        f"{version} = t.{version} + 1, {updated_at} = %s FROM {STAGE} s "
        f"WHERE s.liaison_action = 'replace' AND t.{_column(Liaison, 'id')} = s.liaison_id",
        [today, now],
        "update",
    )


def writes(*, fields: dict[str, list[str]], grid: bool, today: datetime.date, now) -> list[Write]:
    """The statements that write the staged rows, in their order: enterprises first (the
    others refer to them); the replaced liaisons ended before the new ones start (one current
    liaison per enterprise). ``fields``: by record ("enterprise", "liaison", "contact"), the
    fields the file has (a column it lacks leaves the stored value alone); ``grid``: whether
    it has the grid area's."""
    enterprise = {"id": "enterprise_id", "uscc": "uscc", "grid": "grid_id"}
    enterprise |= {name: f"e_{name}" for name in ENTERPRISE_FIELDS}
    enterprise["name_pinyin"] = "e_name_pinyin"
    liaison = {"enterprise": "enterprise_id"} | {name: f"l_{name}" for name in LIAISON_FIELDS}
    contact = {"enterprise": "enterprise_id"} | {name: f"c_{name}" for name in CONTACT_FIELDS}
    changed_enterprise = {name: f"e_{name}" for name in fields["enterprise"]}
    if "name" in fields["enterprise"]:
        changed_enterprise["name_pinyin"] = "e_name_pinyin"
    if grid:
        changed_enterprise["grid"] = "grid_id"
    return [
        _insert(Enterprise, enterprise, "s.status = 'new'", now=now),
        *_update(
            Enterprise,
            changed_enterprise,
            "enterprise_id",
            "s.status = 'updated' AND s.enterprise_changed",
            now=now,
        ),
        _end_liaisons(today=today, now=now),
        *_update(
            Liaison,
            {name: f"l_{name}" for name in fields["liaison"]},
            "liaison_id",
            "s.liaison_action = 'update'",
            now=now,
        ),
        _insert(
            Liaison,
            liaison,
            "s.liaison_action IN ('create', 'replace')",
            now=now,
            fixed={"started_on": today},
        ),
        _insert(EmergencyContact, contact, "s.contact_action = 'create'", now=now),
        *_update(
            EmergencyContact,
            {name: f"c_{name}" for name in fields["contact"]},
            "contact_id",
            "s.contact_action = 'update'",
            now=now,
        ),
    ]


def export_rows(fields: list[tuple[str, str]], enterprise_ids_sql: str, *, report_year: int) -> str:
    """The export's SELECT: one row per enterprise of ``enterprise_ids_sql`` (a subquery of
    ids), its grid's name, current liaison and emergency contact, by credit code. ``fields``
    are (record, field) pairs in column order: record "enterprise", "grid" (its name),
    "liaison", "contact" or "annual_report" (the report of ``report_year``: its year, and
    whether filed, NULL when none is recorded)."""
    e, g = Table(Enterprise, "e"), Table(GridArea, "g")
    tables = {
        "enterprise": e,
        "liaison": Table(Liaison, "l"),
        "contact": Table(EmergencyContact, "c"),
    }
    c, a = tables["contact"], Table(AnnualReport, "a")
    year = int(report_year)  # an int, written into the text (the ids' subquery has the params)

    def column(record: str, field: str) -> str:
        if record == "grid":
            return g.name
        if record == "annual_report":
            return str(year) if field == "year" else getattr(a, field)
        return getattr(tables[record], field)

    select = ", ".join(column(record, field) for record, field in fields)
    return (
        f"SELECT {select} FROM {e} "
        f"LEFT JOIN {g} ON {g.id} = {e.grid} "
        f"{current_liaison_join(e, tables['liaison'])} "
        f"LEFT JOIN {c} ON {c.enterprise} = {e.id} "
        f"LEFT JOIN {a} ON {a.enterprise} = {e.id} AND {a.year} = {year} "
        f"WHERE {e.id} IN ({enterprise_ids_sql}) ORDER BY {e.uscc}"
    )
