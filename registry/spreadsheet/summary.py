"""What an import did or would do, as the preview, the run's page and the command line show
it: counts, the first invalid rows' problems and the first updated rows' changes (bounded:
the pages show no more, and a 100,000-row file must not hold them all in memory; the
invalid-rows download reads the file again and has every problem)."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.spreadsheet.planning import Batch, FileCodes, Grids
from registry.spreadsheet.reading import Sheet

PREVIEW_CHANGES = 200  # updated rows whose changes the summary lists in full
ERRORS_KEPT = 1_000  # problems the summary lists, the first in the file; errors_total counts all


@dataclass
class Summary:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[dict] = field(default_factory=list)  # the first ERRORS_KEPT, by row
    errors_total: int = 0
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


class Tally:
    """The summary, counted batch by batch as the rows are planned."""

    def __init__(self, sheet: Sheet, codes: FileCodes):
        self.summary = Summary(
            unknown_columns=sheet.unknown_headers,
            sheet=sheet.name,
            header_row=sheet.header_row,
            example_rows=list(codes.examples),
            new_grid_rows={"created": 0, "updated": 0},
        )

    def add(self, batch: Batch, grids: Grids) -> None:
        summary = self.summary
        summary.rows_total += batch.size
        summary.invalid += len(batch.invalid)
        for parsed in batch.invalid:
            summary.errors_total += len(parsed.errors)
            room = ERRORS_KEPT - len(summary.errors)
            if room > 0:
                summary.errors.extend(error.as_dict() for error in parsed.errors[:room])
        key = {"new": "created", "updated": "updated", "unchanged": "unchanged"}
        for plan in batch.plans:
            status = key[plan.status]
            setattr(summary, status, getattr(summary, status) + 1)
            if plan.status == "unchanged":
                continue
            if grids.is_new(plan.parsed.grid):  # a new grid always changes its row
                summary.new_grid_rows[status] += 1
            if plan.status == "updated" and len(summary.changes) < PREVIEW_CHANGES:
                parsed = plan.parsed
                summary.changes.append(
                    {"row": parsed.row, "uscc": parsed.uscc, "changes": plan.diff}
                )

    def result(self, grids: Grids) -> Summary:
        self.summary.new_grids = list(grids.new)
        self.summary.unknown_grids = list(grids.refused)
        return self.summary
