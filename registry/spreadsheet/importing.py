"""The import as one use case, for the command line, the Celery tasks and the tests alike:
read, parse and plan in batches, and (unless a dry run) stage and write in one transaction,
all or nothing by default. The dry run and the import plan with the same code, so the preview
says what the import does.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import IO

from django.db import connection, transaction

from registry import clock
from registry.models import Door, Liaison, SecurityEvent
from registry.security_log import security_event_record
from registry.services import changes_by
from registry.signals import liaisons_started
from registry.spreadsheet.applying import Writer, indexes_aside, indexes_back
from registry.spreadsheet.planning import FileCodes, Grids, Progress, planned_batches, read_codes
from registry.spreadsheet.reading import Sheet, read_sheet
from registry.spreadsheet.summary import PREVIEW_CHANGES, Summary, Tally
from registry.sql import importing as sql
from registry.sql.history import context_id, inserted_ids

__all__ = ["Summary", "import_run_target", "registry_import"]


def import_run_target(run_id: int | None) -> str:
    """An import as the security log names it: by its run, never by the uploaded file's name
    (the uploader chose it; it may hold a liaison's name or number, and that log is
    append-only, out of the retention run's reach)."""
    return f"import #{run_id}" if run_id else "import (command line)"


def _share(progress: Progress | None, offset: int, share: int) -> Progress | None:
    """A stage's progress as its share of the whole (percent)."""
    if progress is None:
        return None
    return lambda done, total: progress(offset + share * min(done, total) // max(total, 1), 100)


def registry_import(
    *,
    source: str | Path | IO[bytes],
    filename: str,
    by=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    create_grids: bool | Collection[str] = True,
    import_run: int | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Import a registry spreadsheet (shared/design/registry-template.md).

    ``create_grids``: True creates every grid area the file names that the registry lacks;
    a collection creates those named in it (what the admin confirmed on the preview); False
    makes the rows naming any other invalid. Either way the summary names them. The doors
    decide explicitly: the browser creates only what the admin confirmed, the command line
    only with --create-grids.

    Raises reading.UnreadableFile for a file that cannot be read at all. Returns the summary;
    ``written`` says whether anything was written (never, when rows are invalid and
    ``skip_invalid`` is off: then the transaction is rolled back whole).
    """
    sheet = read_sheet(source, filename=filename)
    codes = read_codes(sheet, progress=_share(progress, 0, 10))
    grids = Grids(allowed=create_grids, header=sheet.headers.get("grid", ""))
    tally = Tally(sheet, codes)
    if dry_run:
        plan_progress = _share(progress, 10, 90)
        for batch in planned_batches(sheet, codes, grids, describe=PREVIEW_CHANGES):
            tally.add(batch, grids)
            _report(plan_progress, tally, codes)
        return tally.result(grids)
    metadata = {"import_run": import_run} if import_run else {}
    with changes_by(by=by, door=Door.IMPORT, **metadata), connection.cursor() as cursor:
        return _write(
            cursor, sheet, codes, grids, tally, by=by, skip_invalid=skip_invalid,
            import_run=import_run, progress=progress,
        )  # fmt: skip


def _report(progress: Progress | None, tally: Tally, codes: FileCodes) -> None:
    if progress:
        progress(tally.summary.rows_total, codes.rows)


def _write(
    cursor,
    sheet: Sheet,
    codes: FileCodes,
    grids: Grids,
    tally: Tally,
    *,
    by,
    skip_invalid: bool,
    import_run: int | None,
    progress: Progress | None,
) -> Summary:
    """Plan with the compared rows locked, and write each batch while the next is planned;
    in the caller's transaction (changes_by)."""
    sql.lock_imports(cursor)
    aside = indexes_aside(cursor, rows=codes.rows)  # a first fill: built once, at the end
    today = clock.today()
    writer = Writer(cursor, grids, present=set(sheet.headers), today=today, by=by)
    plan_progress = _share(progress, 10, 85)
    try:
        batches = planned_batches(
            sheet,
            codes,
            grids,
            lock=True,
            describe=PREVIEW_CHANGES,
            connection_free=writer.busy,
            today=today,
        )
        for batch in batches:
            tally.add(batch, grids)
            if skip_invalid or not tally.summary.invalid:  # else nothing will be written
                writer.add(batch.plans)
            _report(plan_progress, tally, codes)
    finally:
        affected = writer.close()  # the last batch written (or the writer's error raised)
    summary = tally.result(grids)
    if summary.invalid and not skip_invalid:
        # All or nothing: nothing. What was written is rolled back, and the locks released.
        transaction.set_rollback(True)
        return summary
    indexes_back(cursor, aside)
    summary.affected = affected
    # In the import's transaction: logged if and only if written.
    security_event_record(
        action=SecurityEvent.Action.IMPORT,
        at=clock.now(),
        by=by,
        target=import_run_target(import_run),
        detail={
            "step": "written",
            "import_run": import_run,
            **{
                key: getattr(summary, key)
                for key in ("rows_total", "created", "updated", "unchanged", "invalid")
            },
        },
    )
    # The liaisons this import started: outreach welcomes each once, after the commit.
    liaisons_started.send(
        sender=Liaison,
        liaison_ids=inserted_ids(cursor, Liaison, context_id(cursor)),
        door=Door.IMPORT,
        by=by,
    )
    summary.written = True
    return summary
