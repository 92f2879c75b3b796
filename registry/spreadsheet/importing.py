"""The import as one use case, for the command line, the Celery tasks and the tests alike:
read, parse, plan, and (unless a dry run) write in one transaction, all or nothing by default.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import connection

from registry import clock
from registry.models import Door, SecurityEvent
from registry.security_log import security_event_record
from registry.services import changes_by
from registry.spreadsheet.applying import apply_plan
from registry.spreadsheet.planning import (
    Plan,
    Progress,
    build_plan,
    parse_sheet,
    refuse_unknown_grids,
)
from registry.spreadsheet.reading import read_sheet

PREVIEW_CHANGES = 200  # updated rows whose changes the summary lists in full


@dataclass
class Summary:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[dict] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    new_grids: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    sheet: str = ""  # the worksheet read (.xlsx), as the preview names it
    header_row: int = 0  # its header's row, as Excel shows it
    written: bool = False
    affected: list[str] = field(default_factory=list)  # credit codes created or updated
    # Of the rows created or updated, those naming a new grid area (created, or to be created):
    # {"created": n, "updated": n}, what the preview's "do not create them" would leave out.
    new_grid_rows: dict = field(default_factory=dict)
    unknown_grids: list[str] = field(default_factory=list)  # not created: their rows invalid
    example_rows: list[int] = field(default_factory=list)  # the template's, left out

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _summary(sheet, plan: Plan, examples: list[int], unknown_grids: list[str]) -> Summary:
    summary = Summary(
        rows_total=len(plan.rows) + len(plan.invalid),
        created=sum(1 for p in plan.rows if p.status == "new"),
        updated=sum(1 for p in plan.rows if p.status == "updated"),
        unchanged=sum(1 for p in plan.rows if p.status == "unchanged"),
        invalid=len(plan.invalid),
        unknown_columns=sheet.unknown_headers,
        new_grids=plan.new_grids,
        sheet=sheet.name,
        header_row=sheet.header_row,
    )
    summary.example_rows = examples
    summary.unknown_grids = unknown_grids
    new_grid_rows = {"created": 0, "updated": 0}
    if plan.new_grids:
        key = {"new": "created", "updated": "updated"}
        for p in plan.rows:
            if p.parsed.grid and plan.grid_ids.get(p.parsed.grid, 0) is None:
                new_grid_rows[key[p.status]] += 1  # a new grid always changes its row
    summary.new_grid_rows = new_grid_rows
    summary.errors = sorted(
        (error.as_dict() for parsed in plan.invalid for error in parsed.errors),
        key=lambda e: e["row"],
    )
    updated = [p for p in plan.rows if p.status == "updated"]
    summary.changes = [
        {"row": p.parsed.row, "uscc": p.parsed.uscc, "changes": p.diff}
        for p in updated[:PREVIEW_CHANGES]
    ]
    return summary


def import_run_target(run_id: int | None) -> str:
    """An import as the security log names it: by its run, never by the uploaded file's name
    (the uploader chose it; it may hold a liaison's name or number, and that log is
    append-only, out of the retention run's reach)."""
    return f"import #{run_id}" if run_id else "import (command line)"


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
    ``skip_invalid`` is off).
    """

    def stage(offset: int, share: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, total: progress(offset + share * min(done, total) // max(total, 1), 100)

    sheet = read_sheet(source, filename=filename)
    examples: list[int] = []
    rows = parse_sheet(sheet, progress=stage(0, 30), examples=examples)
    unknown_grids: list[str] = []
    if create_grids is not True and "grid" in sheet.headers:
        allowed = create_grids if create_grids is not False else ()
        unknown_grids = refuse_unknown_grids(rows, allowed=allowed, header=sheet.headers["grid"])
    has_invalid = any(not parsed.is_valid for parsed in rows)
    if dry_run or (has_invalid and not skip_invalid):
        plan = build_plan(rows, progress=stage(30, 70))
        return _summary(sheet, plan, examples, unknown_grids)

    metadata = {"import_run": import_run} if import_run else {}
    with changes_by(by=by, door=Door.IMPORT, **metadata):
        # Lock the rows being compared, so an edit made meanwhile waits instead of being
        # overwritten by a plan made before it; one import at a time.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registry_import'))")
        plan = build_plan(rows, lock=True, progress=stage(30, 20))
        apply_plan(
            plan,
            present=set(sheet.headers),
            today=clock.today(),
            progress=stage(50, 50),
        )
        summary = _summary(sheet, plan, examples, unknown_grids)
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
    summary.written = True
    summary.affected = [p.parsed.uscc for p in plan.rows if p.status != "unchanged"]
    return summary
