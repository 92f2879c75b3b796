"""Monitoring's share of the retention run (registry.retention): evidence of the emergency
procedure. Its texts quote erased people like any note; its files (EMS receipts, photos,
the ZIP pack) are kept until the case closed ``EVIDENCE_KEEP_YEARS`` ago, then deleted with
what the evidence says of whom (the kind and date of each piece stay, so the procedure's
outline remains). The statements: monitoring.sql.retention."""

from django.conf import settings

from monitoring.sql import retention as sql
from registry import clock
from registry.retention import RetentionScope, StepResult, years_back


def erase_evidence(cursor, scope: RetentionScope) -> StepResult:
    texts = sql.evidence_texts_erase(cursor, scope)
    closed_before = clock.start_of_day(
        years_back(clock.today(scope.now), settings.EVIDENCE_KEEP_YEARS)
    )
    files = sql.evidence_files_erase(cursor, closed_before=closed_before, erased=scope.erased)
    return StepResult(counts={"evidence_texts": texts, "evidence_files": len(files)}, files=files)
