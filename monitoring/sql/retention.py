"""Monitoring's share of the retention run's SQL (the step and its rules:
monitoring.retention): what the emergency procedure's evidence says of erased people, and
the files of procedures closed long enough ago."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from monitoring.models import EmergencyProcedure, Evidence
from registry.sql import Table
from registry.sql.retention import text_erase

if TYPE_CHECKING:
    from registry.retention import RetentionScope


def evidence_texts_erase(cursor, scope: RetentionScope) -> int:
    """The passages quoting an erased person in evidence texts (of their enterprise, through
    the procedure the evidence belongs to)."""
    t, pr = Table(Evidence, "t"), Table(EmergencyProcedure, "pr")
    return text_erase(
        cursor,
        scope,
        table=t,
        columns=("who", "summary"),
        enterprise=pr.enterprise,
        joins=f", {pr}",
        where=f"{pr.id} = {t.procedure}",
    )


def evidence_files_erase(cursor, *, closed_before: datetime.datetime, erased: str) -> list[str]:
    """Empty the files and what the evidence says of whom (the kind and date of each piece
    stay) of the procedures closed before ``closed_before``, and their ZIP packs; returns
    the storage names of the files."""
    e, pr = Table(Evidence, "e"), Table(EmergencyProcedure, "pr")
    t, p = Table(Evidence, "t"), Table(EmergencyProcedure)
    tp = Table(EmergencyProcedure, "t")
    params = {
        "open": EmergencyProcedure.Status.OPEN.value,
        "closed_before": closed_before,
        "erased": erased,
    }
    cursor.execute(
        f"""WITH old AS (
            SELECT {e.id} AS id, {e.file} AS file FROM {e} JOIN {pr} ON {pr.id} = {e.procedure}
            WHERE {pr.status} <> %(open)s AND {pr.ended_at} < %(closed_before)s
              AND ({e.file} <> '' OR {e.who} <> '' OR {e.summary} NOT IN ('', %(erased)s))
            FOR UPDATE OF e)
        UPDATE {t} SET {t:file} = '', {t:file_name} = '', {t:who} = '',
            {t:summary} = CASE WHEN {t.summary} = '' THEN '' ELSE %(erased)s END
        FROM old WHERE {t.id} = old.id RETURNING old.file""",
        params,
    )
    files = [name for (name,) in cursor.fetchall() if name]
    cursor.execute(
        f"""WITH old AS (
            SELECT {p.id} AS id, {p.evidence_pack} AS evidence_pack FROM {p}
            WHERE {p.status} <> %(open)s AND {p.ended_at} < %(closed_before)s
              AND {p.evidence_pack} <> ''
            FOR UPDATE)
        UPDATE {tp} SET {tp:evidence_pack} = ''
        FROM old WHERE {tp.id} = old.id RETURNING old.evidence_pack""",
        params,
    )
    return files + [name for (name,) in cursor.fetchall() if name]
