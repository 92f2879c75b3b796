"""Monitoring's share of the retention run (registry.retention): evidence of the emergency
procedure. Its texts quote erased people like any note; its files (EMS receipts, photos,
the ZIP pack) are kept until the case closed ``EVIDENCE_KEEP_YEARS`` ago, then deleted with
what the evidence says of whom (the kind and date of each piece stay, so the procedure's
outline remains)."""

from django.conf import settings
from django.db import connection

from monitoring.models import EmergencyProcedure, Evidence
from registry import clock
from registry.retention import RetentionScope, StepResult, text_erase, years_back


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def erase_evidence(cursor, scope: RetentionScope) -> StepResult:
    evidence, procedure = _table(Evidence), _table(EmergencyProcedure)
    # Evidence belongs to an enterprise through its procedure.
    texts = text_erase(
        cursor,
        scope,
        table=evidence,
        columns=("who", "summary"),
        enterprise="pr.enterprise_id",
        joins=f", {procedure} AS pr",
        where="pr.id = t.procedure_id",
    )
    closed_before = clock.start_of_day(
        years_back(clock.today(scope.now), settings.EVIDENCE_KEEP_YEARS)
    )
    params = {
        "open": EmergencyProcedure.Status.OPEN.value,
        "closed_before": closed_before,
        "erased": scope.erased,
    }
    cursor.execute(
        f"""WITH old AS (
            SELECT e.id, e.file FROM {evidence} e JOIN {procedure} pr ON pr.id = e.procedure_id
            WHERE pr.status <> %(open)s AND pr.ended_at < %(closed_before)s
              AND (e.file <> '' OR e.who <> '' OR e.summary NOT IN ('', %(erased)s))
            FOR UPDATE OF e)
        UPDATE {evidence} AS t SET file = '', file_name = '', who = '',
            summary = CASE WHEN t.summary = '' THEN '' ELSE %(erased)s END
        FROM old WHERE t.id = old.id RETURNING old.file""",
        params,
    )
    files = [name for (name,) in cursor.fetchall() if name]
    cursor.execute(
        f"""WITH old AS (
            SELECT id, evidence_pack FROM {procedure}
            WHERE status <> %(open)s AND ended_at < %(closed_before)s AND evidence_pack <> ''
            FOR UPDATE)
        UPDATE {procedure} AS t SET evidence_pack = ''
        FROM old WHERE t.id = old.id RETURNING old.evidence_pack""",
        params,
    )
    files += [name for (name,) in cursor.fetchall() if name]
    return StepResult(counts={"evidence_texts": texts, "evidence_files": len(files)}, files=files)
