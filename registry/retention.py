"""Retention (PIPL art. 19, 47; the notice the liaison accepts): a liaison's personal data is
kept while they are the liaison and for ``LIAISON_RETENTION_YEARS`` after they leave, then
erased — the row, its history, and every text of ours that quotes it.

``retention_run(now=)`` (the nightly Celery task) works set-based in one transaction:

1. it chooses whom to erase, into temporary tables: liaisons whose period ended before the
   cutoff; every liaison and the emergency contact of an enterprise deregistered before the
   cutoff (from the enterprise's history: when its present deregistered spell began); an
   emergency contact's earlier person, replaced before the cutoff (history rows only); and
   the history of liaisons and contacts deleted before the cutoff;
2. it gathers their values (from the rows and every history event: an old mobile corrected
   years ago is theirs too) into one regular expression per enterprise, leaving out any value
   a person we keep still holds (a liaison who left and came back);
3. it overwrites the people's fields and history events with ``ERASED`` / empty; higher apps'
   steps (``register_retention_step``: the outbox, self-service links, contact-log and task
   notes, emergency-procedure evidence) replace the values in their texts of the same
   enterprise, by the expression;
4. import files older than ``IMPORT_FILES_KEEP_DAYS`` (with the preview's row details) and
   evidence files of procedures closed more than ``EVIDENCE_KEEP_YEARS`` ago go; the files are
   deleted from storage after the transaction commits.

It writes one security-log row with the counts and returns them. A second run finds nothing.
Free text is searched within the erased person's enterprise, with phone numbers matched also
when typed with spaces or dashes; a value typed some other way ("one-three-nine …") is beyond
it. The statements: registry.sql.retention.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from registry import clock
from registry.models import Door, ImportRun, SecurityEvent
from registry.sql import retention as sql
from registry.sql.retention import text_erase

logger = logging.getLogger(__name__)

# What an erased name (and an erased passage of free text) reads afterwards.
ERASED = "〔已删除〕"

# Higher apps' steps erase their own texts with the registry's text_erase.
__all__ = [
    "ERASED",
    "RetentionScope",
    "StepResult",
    "register_retention_step",
    "retention_run",
    "text_erase",
    "years_back",
]


@dataclass(frozen=True)
class RetentionScope:
    """What a step needs: the moment of the run and the temporary tables of registry.sql.
    retention (the erased people, by id and enterprise; their values as one expression)."""

    now: datetime.datetime
    liaison_cutoff: datetime.date
    erased: str = ERASED
    liaisons: str = sql.LIAISONS
    contacts: str = sql.CONTACTS
    patterns: str = sql.PATTERNS

    @property
    def cutoff_at(self) -> datetime.datetime:
        """The cutoff's first moment in the park: a change made before it is past keeping."""
        return clock.start_of_day(self.liaison_cutoff)


@dataclass
class StepResult:
    counts: dict[str, int] = field(default_factory=dict)
    # Storage names to delete once the transaction has committed.
    files: list[str] = field(default_factory=list)


RetentionStep = Callable[[object, RetentionScope], StepResult]
_steps: list[RetentionStep] = []


def register_retention_step(step: RetentionStep) -> None:
    """Higher apps erase their own copies (from AppConfig.ready); the registry imports none."""
    if step not in _steps:
        _steps.append(step)


def liaison_retention_years() -> int:
    return settings.LIAISON_RETENTION_YEARS


def years_back(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` years before (29 February: the 28th)."""
    return clock.months_back(day, 12 * years)


# --- The run ----------------------------------------------------------------------------


def retention_run(*, now: datetime.datetime) -> dict[str, int]:
    """Erase what is past its retention period (module docstring); returns the counts."""
    from registry.security_log import security_event_record
    from registry.services import changes_by

    today = clock.today(now)
    scope = RetentionScope(now=now, liaison_cutoff=years_back(today, liaison_retention_years()))
    counts: dict[str, int] = {}
    files: list[str] = []
    # The history event the erasure itself writes says it was the system, by this rule.
    with changes_by(by=None, door=Door.SYSTEM, rule="retention"), connection.cursor() as cursor:
        sql.lock(cursor)
        sql.choose(cursor, scope)
        for step in (_erase_registry, _import_files, *_steps):
            result = step(cursor, scope)
            counts.update(result.counts)
            files.extend(result.files)
        security_event_record(
            action=SecurityEvent.Action.RETENTION_RUN,
            at=now,
            detail={"cutoff": scope.liaison_cutoff.isoformat(), **counts},
        )
    for name in files:
        try:
            default_storage.delete(name)
        except OSError:  # already gone: what we wanted
            logger.warning("retention: could not delete %s", name)
    return counts


def _erase_registry(cursor, scope: RetentionScope) -> StepResult:
    return StepResult(counts=sql.erase_registry(cursor, scope))


def _import_files(cursor, scope: RetentionScope) -> StepResult:
    """Uploaded spreadsheets are kept IMPORT_FILES_KEEP_DAYS; with the file go its name (the
    uploader's choice: it may name a person) and the rows' details the preview and summary
    quote (changes old → new, invalid rows), the counts stay."""
    working = [ImportRun.Status.CHECKING, ImportRun.Status.QUEUED, ImportRun.Status.IMPORTING]
    names = sql.import_files_erase(
        cursor,
        before=scope.now - datetime.timedelta(days=settings.IMPORT_FILES_KEEP_DAYS),
        working=[str(status) for status in working],
    )
    return StepResult(counts={"import_files": len(names)}, files=names)
