"""The import's annual reports (the spreadsheet's 年报年度 / 年报已报送), set-based: the stored
reports of a batch read in one query, and the batch's reports written in one
``INSERT … ON CONFLICT (enterprise, year) DO UPDATE`` from arrays (no staging table of their
own: a batch holds at most one report per row). AnnualReport keeps no history of its own: the
row says who (``updated_by``) and when last. Kept apart from registry.sql.importing's staged
writes so each can change without the other.
"""

from __future__ import annotations

import datetime

from django.db import connection

from registry.models import AnnualReport
from registry.sql.importing import STAGE
from registry.sql.names import Table


def stored(enterprise_ids: list[int], years: list[int]) -> dict[tuple[int, int], bool]:
    """(enterprise id, year) -> filed, for the stored reports of these enterprises and years."""
    if not enterprise_ids or not years:
        return {}
    a = Table(AnnualReport, "a")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {a.enterprise}, {a.year}, {a.filed} FROM {a} "
            f"WHERE {a.enterprise} = ANY(%s) AND {a.year} = ANY(%s)",
            [enterprise_ids, years],
        )
        return {(pk, year): filed for pk, year, filed in cursor.fetchall()}


def upsert(
    cursor, reports: list[tuple[int, int, bool]], *, by_id: int | None, now: datetime.datetime
) -> None:
    """Write (file row, year, filed) for each report of the batch just written: a new row,
    or the stored one's ``filed`` with who and when. The enterprise is the one the staging
    table gives the file's row (a new enterprise's id is given there: sql.importing.stage_ids),
    so this runs after the batch's writes and before the next batch is staged."""
    if not reports:
        return
    t = Table(AnnualReport)
    rows, years, filed = (list(column) for column in zip(*reports, strict=True))
    cursor.execute(
        f"INSERT INTO {t} ({t:enterprise,year,filed,updated_by,updated_at}) "
        f"SELECT s.enterprise_id, r.year, r.filed, %s, %s "
        f"FROM unnest(%s::integer[], %s::integer[], %s::boolean[]) AS r(file_row, year, filed) "
        f"JOIN {STAGE} s ON s.file_row = r.file_row "
        f"ON CONFLICT ({t:enterprise,year}) DO UPDATE SET "
        f"{t.filed} = EXCLUDED.{t.filed}, {t.updated_by} = EXCLUDED.{t.updated_by}, "
        f"{t.updated_at} = EXCLUDED.{t.updated_at}",
        [by_id, now, rows, years, filed],
    )
