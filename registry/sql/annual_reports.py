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
    """Write (enterprise id, year, filed) for each report: a new row, or the stored one's
    ``filed`` with who and when. Runs after the batch's enterprises are written (they are
    referred to); a plain DB-API cursor will do (the import's writer thread has no other)."""
    if not reports:
        return
    t = Table(AnnualReport)
    enterprises, years, filed = (list(column) for column in zip(*reports, strict=True))
    cursor.execute(
        f"INSERT INTO {t} ({t:enterprise,year,filed,updated_by,updated_at}) "
        f"SELECT r.enterprise, r.year, r.filed, %s, %s "
        f"FROM unnest(%s::bigint[], %s::integer[], %s::boolean[]) AS r(enterprise, year, filed) "
        f"ON CONFLICT ({t:enterprise,year}) DO UPDATE SET "
        f"{t.filed} = EXCLUDED.{t.filed}, {t.updated_by} = EXCLUDED.{t.updated_by}, "
        f"{t.updated_at} = EXCLUDED.{t.updated_at}",
        [by_id, now, enterprises, years, filed],
    )
