"""The desk's share of the retention run (registry.retention, registered in matters_ready): a
matter's requester — name, phone, e-mail — is kept while the matter is open and for the
notice's period (``LIAISON_RETENTION_YEARS``, the one the data-use notice states) after it
ended, then erased, with their values in its texts, its steps and the answer sent to them,
and the files brought with it are deleted; the matter stays and so do the desk's counts. A
liaison the run erases leaves no copy on their matters either, and erased people's values are
taken out of the desk's texts of their enterprise. The statements:
outreach.sql.matters_retention."""

from outreach.matters.models import Matter
from outreach.sql import matters_retention as sql
from registry import clock
from registry.retention import (
    RetentionScope,
    StepResult,
    liaison_retention_years,
    text_erase,
    years_back,
)
from registry.sql import Table


def erase_matter_requesters(cursor, scope: RetentionScope) -> StepResult:
    before = clock.start_of_day(years_back(clock.today(scope.now), liaison_retention_years()))
    counts = sql.requesters_erase(cursor, scope, before=before)
    counts["matter_texts"] = text_erase(
        cursor,
        scope,
        table=Table(Matter, "t"),
        columns=("requester_name", "requester_phone", "description", "answer", "next_step"),
    )
    files = sql.attachments_erase(cursor, scope, before=before)
    counts["matter_attachments"] = len(files)
    return StepResult(counts=counts, files=files)
