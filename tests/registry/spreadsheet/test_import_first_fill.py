"""A first fill (a long file into a registry holding at most half as many enterprises) drops the
secondary indexes of enterprises and liaisons (and of their history, while it is short) and
builds them again before it commits (registry.spreadsheet.applying.indexes_aside): the
registry, its search and its indexes must come out exactly as a row-by-row upkeep leaves them,
and an import that does not commit must leave the indexes as they were. Here a first fill
starts at 4 rows."""

import io

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction

from registry.models import Enterprise, Liaison
from registry.selectors import enterprise_search
from registry.spreadsheet import applying
from registry.spreadsheet import importing as use_case
from registry.spreadsheet.importing import registry_import
from registry.sql import importing as sql
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_first_fill(monkeypatch):
    monkeypatch.setattr(applying, "FIRST_FILL_ROWS", 4)


@pytest.fixture
def set_aside(monkeypatch):
    """The indexes each import set aside (the definitions it built again)."""
    taken: list[list[str]] = []

    def recorded(cursor, *, rows):
        taken.append(applying.indexes_aside(cursor, rows=rows))
        return taken[-1]

    monkeypatch.setattr(use_case, "indexes_aside", recorded)
    return taken


def _import(rows, **options):
    return registry_import(source=io.BytesIO(xlsx_bytes(rows)), filename="名册.xlsx", **options)


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('registry_enterprise', 'registry_liaison', "
            "'registry_enterpriseevent', 'registry_liaisonevent') ORDER BY 1"
        )
        return cursor.fetchall()


def _foreign_keys() -> list[tuple[str, str, str, bool]]:
    """The foreign keys of the registry's tables and those referring to them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) "
            "OR confrelid = ANY(%s::regclass[])) ORDER BY 1, 2",
            [_FILLED, _FILLED],
        )
        return cursor.fetchall()


_FILLED = ["registry_enterprise", "registry_liaison"]


def _liaison_of_no_enterprise():
    """A liaison row naming an enterprise that does not exist, its check run now."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO registry_liaison (name, position, mobile, landline, email, wechat, "
            "id_number, started_on, consent_version, version, created_at, updated_at, "
            "enterprise_id) VALUES ('x', '', '13900000000', '', '', '', '', '2026-01-01', "
            "'', 0, now(), now(), -1)"
        )


def test_a_first_fill_builds_the_indexes_again_and_finds_what_it_wrote(grid_a, set_aside):
    before, keys = _indexes(), _foreign_keys()
    result = _import([HEADERS, *(a_row(n) for n in range(1, 11))])

    assert result.written and result.created == 10
    assert set_aside[0], "a first fill sets the search indexes aside"
    assert any(".registry_liaisonevent " in d for d in set_aside[0]), "history short yet"
    assert _indexes() == before
    assert not [d for d in set_aside[0] if " enterprise_initials_bigram " in d], "kept up"
    # Its foreign keys too: added again after the last batch, each checking every row.
    added = [d for d in set_aside[0] if d.startswith("ALTER TABLE")]
    assert any(d.startswith("ALTER TABLE registry_liaison ADD CONSTRAINT") for d in added)
    assert any("REFERENCES registry_gridarea(id)" in d for d in added)
    assert _foreign_keys() == keys
    with pytest.raises(IntegrityError):
        _liaison_of_no_enterprise()
    indexes = [d for d in set_aside[0] if d.startswith("CREATE")]
    assert set(indexes) <= {d for _name, d in before}
    assert Liaison.objects.filter(ended_on=None).count() == 10
    # The rebuilt indexes serve the search: names by bigrams, numbers by trigrams.
    found = Enterprise.objects.filter(enterprise_search("测试企业7")).values_list("name", flat=True)
    assert list(found) == ["测试企业7有限公司"]
    assert Enterprise.objects.filter(enterprise_search("13900000003")).count() == 1


def test_a_file_into_a_fuller_registry_keeps_the_indexes_up(grid_a, set_aside):
    _import([HEADERS, *(a_row(n) for n in range(1, 11))])
    again = _import([HEADERS, *(a_row(n, 企业名称=f"改名{n}") for n in range(5, 17))])

    assert (again.created, again.updated) == (6, 6)
    assert set_aside[1] == [], "10 enterprises stored, 12 rows: not a first fill"
    assert Enterprise.objects.filter(enterprise_search("改名16")).count() == 1


def test_a_refused_first_fill_leaves_the_indexes_as_they_were(grid_a, set_aside):
    before, keys = _indexes(), _foreign_keys()
    result = _import([HEADERS, *(a_row(n) for n in range(1, 8)), a_row(8, 联络员手机="x")])

    assert not result.written and result.invalid == 1
    assert set_aside[0], "the indexes were dropped, then the transaction rolled back"
    assert _indexes() == before and not Enterprise.objects.exists()
    assert _foreign_keys() == keys


def test_a_failure_while_writing_a_first_fill_leaves_the_indexes_as_they_were(grid_a, monkeypatch):
    before = _indexes()
    run = sql.Write.run

    def broken(write, cursor, *, context):
        if write.model is Liaison and write.label == "insert":
            raise RuntimeError("the database went away")
        run(write, cursor, context=context)

    monkeypatch.setattr(sql.Write, "run", broken)
    with pytest.raises(RuntimeError):
        _import([HEADERS, *(a_row(n) for n in range(1, 11))])

    assert _indexes() == before and not Enterprise.objects.exists()


def test_a_reader_holding_the_registry_keeps_the_indexes_and_the_import_goes_on(
    grid_a, set_aside, monkeypatch
):
    """The tables are not taken from a reader: after a short wait the import keeps the
    indexes up as it writes."""
    monkeypatch.setattr(applying, "FIRST_FILL_LOCK_MS", 100)
    # A second connection to the test database, as Django makes them (the embedded server
    # listens on its own socket): a transaction of its own, reading the registry.
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        reader.set_autocommit(False)
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_enterprise")
            result = _import([HEADERS, *(a_row(n) for n in range(1, 11))])
    finally:
        reader.rollback()
        reader.close()

    assert result.written and result.created == 10
    assert set_aside == [[]]
    assert Enterprise.objects.filter(enterprise_search("测试企业7")).count() == 1


def test_a_reader_holding_the_grid_areas_keeps_the_foreign_keys(grid_a, set_aside, monkeypatch):
    """Dropping the enterprises' key to the grid areas locks these: a reader holding them
    keeps the keys as they are (checked row by row), the indexes are still set aside."""
    monkeypatch.setattr(applying, "FIRST_FILL_LOCK_MS", 100)
    keys = _foreign_keys()
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        reader.set_autocommit(False)
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_gridarea")
            result = _import([HEADERS, *(a_row(n) for n in range(1, 11))])
    finally:
        reader.rollback()
        reader.close()

    assert result.written and result.created == 10
    assert set_aside[0] and not [d for d in set_aside[0] if d.startswith("ALTER TABLE")]
    assert _foreign_keys() == keys
    assert Enterprise.objects.filter(enterprise_search("测试企业7")).count() == 1
    with pytest.raises(IntegrityError):
        _liaison_of_no_enterprise()
