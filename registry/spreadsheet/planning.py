"""Parse the rows, then compare the valid ones with the registry: new, updated (with what
changes, old -> new) or unchanged. Used alike by the dry run, the browser's preview and the
import, so the preview and the import cannot disagree.

Bounded memory at 100,000 rows: the sheet is read twice, lazily. The first pass keeps only
each row's credit code (``read_codes``: a code given twice makes every row giving it invalid,
wherever in the file the other row is); the second parses and plans the rows in batches of
BATCH (``planned_batches``), the registry read for each batch by credit code in one query per
table (registry.sql.importing), never one query per row. A batch is dropped once the import
has counted it and handed it to the writer (registry.spreadsheet.applying).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from registry import annual_reports, clock, masking
from registry.models import GridArea
from registry.normalize import clean_text
from registry.spreadsheet.cells import displayable
from registry.spreadsheet.columns import (
    BY_ALIAS,
    COLUMNS,
    Cleaner,
    ParsedRow,
    RowError,
    credit_code,
    parse_row,
)
from registry.spreadsheet.reading import Sheet, UnreadableFile
from registry.sql import annual_reports as annual_reports_sql
from registry.sql import importing as sql

BATCH = 5_000
_HEADER_OF = {(c.record, c.field): c.header for c in COLUMNS}
_KIND = {"enterprise": "enterprise", "liaison": "liaison", "contact": "emergencycontact"}

Progress = Callable[[int, int], None]
_ALWAYS_FREE = contextlib.nullcontext()  # a dry run has the connection to itself


def max_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 200_000))


# --- First pass: the credit codes -------------------------------------------------------------


@dataclass
class FileCodes:
    """Each data row's credit code, in file order: "" when its cell is no valid code, None for
    the template's example row. ``duplicates``: a code given more than once -> the rows giving
    it, in file order."""

    codes: list[str | None]
    duplicates: dict[str, list[int]]
    examples: list[int]  # the rows of the template's example row, left out

    @property
    def rows(self) -> int:
        return len(self.codes) - len(self.examples)


def read_codes(sheet: Sheet, progress: Progress | None = None) -> FileCodes:
    """The first pass. Raises UnreadableFile when the file has more than max_rows() rows."""
    codes: list[str | None] = []
    examples: list[int] = []
    first_row: dict[str, int] = {}
    duplicates: dict[str, list[int]] = defaultdict(list)
    limit = max_rows()
    for number, values in sheet.rows_of("uscc"):
        code = credit_code(values)
        codes.append(code)
        if code is None:
            examples.append(number)
            continue
        if len(codes) - len(examples) > limit:
            raise UnreadableFile(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": limit}
            )
        if code:
            first = first_row.setdefault(code, number)
            if first != number:
                duplicates[code] = duplicates[code] or [first]
                duplicates[code].append(number)
        if progress and len(codes) % BATCH == 0:
            progress(len(codes), sheet.estimated_rows)
    return FileCodes(codes=codes, duplicates=dict(duplicates), examples=examples)


# --- Second pass: every row parsed ------------------------------------------------------------


def parsed_rows(sheet: Sheet, codes: FileCodes, *, keep_raw: bool = False) -> Iterator[ParsedRow]:
    """Every non-blank data row but the template's example, parsed, in file order; a credit
    code given twice makes each of its rows invalid. ``keep_raw``: keep the values as typed
    (ParsedRow.raw), for the invalid-rows download."""
    header = sheet.headers["uscc"]
    clean = Cleaner()
    for (number, values), code in zip(sheet.rows, codes.codes, strict=True):
        if code is None:
            continue  # the template's example row
        parsed = parse_row(
            row=number, values=values, headers=sheet.headers, uscc=code or None, clean=clean
        )
        group = codes.duplicates.get(parsed.uscc)
        if group:
            other = group[1] if number == group[0] else group[0]
            parsed.errors.append(
                RowError(
                    number,
                    header,
                    _("Duplicate of row %(row)s: each credit code may appear only once.")
                    % {"row": other},
                    "duplicate",
                )
            )
        if keep_raw:
            # As typed, but writable back into a workbook (a NUL is shown, not dropped).
            parsed.raw = {alias: displayable(value) for alias, value in values.items()}
        yield parsed


# --- Grid areas -------------------------------------------------------------------------------


class Grids:
    """The registry's grid areas as the file names them (by code or name, case ignored), and
    the new ones the file names. ``allowed``: True to take every new grid area (planned as
    created), else the names the admin confirmed creating; a row naming any other is invalid
    (``refuse``). One query, when made."""

    def __init__(self, *, allowed: bool | Collection[str] = True, header: str = ""):
        self.lookup: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.codes: set[str] = set()  # taken, for the new grid areas' codes
        for pk, code, name in GridArea.objects.values_list("pk", "code", "name"):
            self.lookup[clean_text(code).lower()] = pk
            self.lookup[clean_text(name).lower()] = pk
            self.names[pk] = name
            self.codes.add(code)
        self.allow_all = allowed is True
        self.allowed = set() if allowed in (True, False) else set(allowed)
        self.header = header
        self.new: dict[str, None] = {}  # the new grid areas of valid rows, in file order
        self.refused: dict[str, None] = {}  # those not allowed, in file order

    def id_of(self, grid: str) -> int | None:
        return self.lookup.get(grid.lower()) if grid else None

    def is_new(self, grid: str | None) -> bool:
        return bool(grid) and self.id_of(grid) is None

    def refuse(self, parsed: ParsedRow) -> None:
        """Make the (valid) row invalid when it names a grid area the registry lacks that
        was not allowed."""
        grid = parsed.grid
        if self.allow_all or not self.is_new(grid) or grid in self.allowed:
            return
        self.refused[grid] = None
        parsed.errors.append(
            RowError(
                parsed.row,
                self.header,
                _(
                    "There is no grid area %(grid)s yet. Confirm creating it on the import's "
                    "preview (on the command line: --create-grids), or choose an existing one."
                )
                % {"grid": grid},
                "unknown_grid",
            )
        )

    def note(self, parsed: ParsedRow) -> None:
        """A valid row: remember the new grid area it names."""
        if self.is_new(parsed.grid):
            self.new[parsed.grid] = None


# --- Planning a batch -------------------------------------------------------------------------


@dataclass
class RowPlan:
    parsed: ParsedRow
    status: str = "unchanged"  # "new" | "updated" | "unchanged"
    enterprise_id: int | None = None
    enterprise_changed: bool = False
    liaison_action: str | None = None  # "create" | "replace" | "update"
    liaison_id: int | None = None
    contact_action: str | None = None  # "create" | "update"
    contact_id: int | None = None
    diff: list[dict] = field(default_factory=list)  # old -> new, when described
    annual_report: tuple[int, bool] | None = None  # (year, filed) to write, when it changes


@dataclass
class Batch:
    """One batch of rows: the plans of its valid rows and its invalid rows, in file order."""

    plans: list[RowPlan]
    invalid: list[ParsedRow]
    size: int  # rows of the file it covers


def planned_batches(
    sheet: Sheet,
    codes: FileCodes,
    grids: Grids,
    *,
    lock: bool = False,
    describe: int = 0,
    connection_free: AbstractContextManager = _ALWAYS_FREE,
    today: datetime.date | None = None,
) -> Iterator[Batch]:
    """The rows parsed and planned, BATCH at a time. ``lock``: lock the stored rows compared
    (FOR UPDATE), in the import's transaction. ``describe``: how many updated rows to describe
    old -> new, the first in the file (the preview lists a few; the rest are only counted).
    ``connection_free``: held while the registry is read (the import's writer shares the
    connection, applying.Writer). ``today``: the import's date (the annual report's default
    year)."""
    today = today or clock.today()
    rows = parsed_rows(sheet, codes)
    while chunk := list(itertools.islice(rows, BATCH)):
        valid: list[ParsedRow] = []
        invalid: list[ParsedRow] = []
        for parsed in chunk:
            if parsed.is_valid:
                grids.refuse(parsed)
            (valid if parsed.is_valid else invalid).append(parsed)
        for parsed in valid:
            grids.note(parsed)
        with connection_free:
            stored = sql.stored_records([p.uscc for p in valid], lock=lock)
            reports = _stored_reports(valid, stored, today)
        plans = []
        for parsed in valid:
            plan = _plan_row(parsed, stored, grids, describe=describe > 0)
            _plan_report(plan, report_of(parsed, today), reports, describe=describe > 0)
            describe -= plan.status == "updated"
            plans.append(plan)
        yield Batch(plans=plans, invalid=invalid, size=len(chunk))


def _plan_row(parsed: ParsedRow, stored: sql.Stored, grids: Grids, *, describe: bool) -> RowPlan:
    enterprise = stored.enterprises.get(parsed.uscc)
    plan = RowPlan(parsed=parsed)
    if enterprise is None:
        plan.status = "new"
        plan.liaison_action = "create"
        plan.contact_action = "create" if parsed.contact else None
        return plan
    plan.enterprise_id = enterprise["id"]
    diff = plan.diff if describe else None
    plan.enterprise_changed = _plan_enterprise(parsed, enterprise, grids, diff)
    _plan_liaison(plan, stored.liaisons.get(enterprise["id"]), diff)
    if parsed.contact:
        _plan_contact(plan, stored.contacts.get(enterprise["id"]), diff)
    if plan.enterprise_changed or plan.liaison_action or plan.contact_action:
        plan.status = "updated"
    return plan


def report_of(parsed: ParsedRow, today: datetime.date) -> tuple[int, bool] | None:
    """The annual report the row records, (year, filed), or None: 年报已报送 empty or absent
    changes nothing. Without 年报年度 the year is the one due on the import's date."""
    filed = parsed.annual_report.get("filed")
    if filed is None:
        return None
    return (parsed.annual_report.get("year") or annual_reports.due_year(today), filed)


def _stored_reports(
    valid: list[ParsedRow], stored: sql.Stored, today: datetime.date
) -> dict[tuple[int, int], bool]:
    """The stored reports the batch's rows name (one query, none when no row names one)."""
    ids, years = set(), set()
    for parsed in valid:
        report = report_of(parsed, today)
        enterprise = stored.enterprises.get(parsed.uscc)
        if report and enterprise:
            ids.add(enterprise["id"])
            years.add(report[0])
    return annual_reports_sql.stored(sorted(ids), sorted(years))


def _plan_report(
    plan: RowPlan,
    report: tuple[int, bool] | None,
    stored: dict[tuple[int, int], bool],
    *,
    describe: bool,
) -> None:
    """Write the row's annual report when it differs from the stored one (none stored: it
    differs); a row that changes only that is updated."""
    if report is None:
        return
    year, filed = report
    old = stored.get((plan.enterprise_id, year)) if plan.enterprise_id else None
    if old == filed:
        return
    plan.annual_report = report
    if plan.status == "new":
        return
    plan.status = "updated"
    if describe:
        plan.diff.append(
            {
                "column": f"{BY_ALIAS['annual_report_filed'].header}（{year}）",
                "old": "" if old is None else _shown("annual_report", "filed", old),
                "new": _shown("annual_report", "filed", filed),
            }
        )


def _plan_enterprise(parsed: ParsedRow, stored: dict, grids: Grids, diff: list | None) -> bool:
    """Whether the row changes the enterprise's own columns (its grid area included)."""
    changed = False
    for name, value in parsed.enterprise.items():
        if name != "uscc" and stored[name] != value:
            changed = True
            if diff is not None:
                diff.append(_change("enterprise", name, stored[name], value))
    if parsed.grid is not None:
        grid_id = grids.id_of(parsed.grid)
        if grid_id != stored["grid"] or grids.is_new(parsed.grid):
            changed = True
            if diff is not None:
                diff.append(
                    {
                        "column": BY_ALIAS["grid"].header,
                        "old": grids.names.get(stored["grid"], ""),
                        "new": parsed.grid,
                    }
                )
    return changed


def _plan_liaison(plan: RowPlan, current: dict | None, diff: list | None) -> None:
    new = plan.parsed.liaison
    if current is None:
        plan.liaison_action = "create"
        if diff is not None:
            diff.append({"column": _("Liaison"), "old": "", "new": new.get("name", "")})
        return
    plan.liaison_id = current["id"]
    if not _same_person(current, new):
        plan.liaison_action = "replace"
        if diff is not None:
            diff.append(
                {
                    "column": _("Liaison (the current one is ended, a new one starts)"),
                    "old": _person(current),
                    "new": _person(new),
                }
            )
        return
    for name, value in new.items():
        if current[name] != value:
            plan.liaison_action = "update"
            if diff is not None:
                diff.append(_change("liaison", name, current[name], value))


def _plan_contact(plan: RowPlan, stored: dict | None, diff: list | None) -> None:
    if stored is None:
        plan.contact_action = "create"
    else:
        plan.contact_id = stored["id"]
    for name, value in plan.parsed.contact.items():
        old = stored[name] if stored else ""
        if old != value:
            plan.contact_action = plan.contact_action or "update"
            if diff is not None:
                diff.append(_change("contact", name, old, value))


def _same_person(current: dict, new: dict) -> bool:
    """Name + mobile, or the ID number when both sides have one (registry-template.md)."""
    if new.get("id_number") and current.get("id_number"):
        return new["id_number"] == current["id_number"]
    return current["name"] == new.get("name") and current["mobile"] == new.get("mobile")


def _person(liaison: dict) -> str:
    mobile = masking.masked("liaison", "mobile", liaison.get("mobile", ""))
    return f"{liaison.get('name', '')} {mobile}"


def _change(record: str, name: str, old, new) -> dict:
    return {
        "column": _HEADER_OF[record, name],
        "old": _shown(record, name, old),
        "new": _shown(record, name, new),
    }


def _shown(record: str, name: str, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = "" if value is None else str(value)
    return masking.masked(_KIND[record], name, text)
