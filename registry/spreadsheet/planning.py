"""Parse every row, then compare the valid ones with the registry: new, updated (with what
changes, old -> new) or unchanged. The registry is read in bounded batches by credit code,
never one query per row. Used alike by the dry run, the browser's preview and the import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from registry import masking
from registry.models import GridArea
from registry.normalize import clean_text
from registry.spreadsheet.cells import displayable
from registry.spreadsheet.columns import BY_ALIAS, COLUMNS, ParsedRow, RowError, parse_row
from registry.spreadsheet.reading import Sheet, UnreadableFile

BATCH = 5_000
ENTERPRISE_FIELDS = tuple(
    c.field for c in COLUMNS if c.record == "enterprise" and c.field != "uscc"
)
LIAISON_FIELDS = tuple(c.field for c in COLUMNS if c.record == "liaison")
CONTACT_FIELDS = tuple(c.field for c in COLUMNS if c.record == "contact")
_HEADER_OF = {(c.record, c.field): c.header for c in COLUMNS}
_KIND = {"enterprise": "enterprise", "liaison": "liaison", "contact": "emergencycontact"}

Progress = Callable[[int, int], None]


def max_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 200_000))


def parse_sheet(
    sheet: Sheet,
    progress: Progress | None = None,
    *,
    keep_raw: bool = False,
    examples: list[int] | None = None,
) -> list[ParsedRow]:
    """Every non-blank data row, parsed; the same credit code twice makes both rows invalid.
    The template's example row (ParsedRow.example) is left out, and its row number put
    in ``examples`` when given."""
    rows: list[ParsedRow] = []
    limit = max_rows()
    for number, values in sheet.rows:
        parsed = parse_row(row=number, values=values, headers=sheet.headers)
        if parsed.example:
            if examples is not None:
                examples.append(number)
            continue
        if keep_raw:
            # As typed, but writable back into a workbook (a NUL is shown, not dropped).
            parsed.raw = {alias: displayable(value) for alias, value in values.items()}
        rows.append(parsed)
        if len(rows) > limit:
            raise UnreadableFile(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": limit}
            )
        if progress and len(rows) % BATCH == 0:
            progress(len(rows), sheet.estimated_rows)
    by_code: dict[str, list[ParsedRow]] = defaultdict(list)
    for parsed in rows:
        if parsed.uscc:
            by_code[parsed.uscc].append(parsed)
    header = sheet.headers["uscc"]
    for group in by_code.values():
        if len(group) > 1:
            for parsed in group:
                other = group[1] if parsed is group[0] else group[0]
                parsed.errors.append(
                    RowError(
                        parsed.row,
                        header,
                        _("Duplicate of row %(row)s: each credit code may appear only once.")
                        % {"row": other.row},
                        "duplicate",
                    )
                )
    return rows


@dataclass
class RowPlan:
    parsed: ParsedRow
    status: str = "unchanged"  # "new" | "updated" | "unchanged"
    enterprise_id: int | None = None
    enterprise_changes: dict = field(default_factory=dict)
    liaison_action: str | None = None  # "create" | "replace" | "update"
    liaison_id: int | None = None
    contact_action: str | None = None  # "create" | "update"
    contact_id: int | None = None
    diff: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[RowPlan]
    invalid: list[ParsedRow]
    grid_ids: dict[str, int | None]  # the file's grid value -> id (None: to be created)
    new_grids: list[str]


def _grid_lookup() -> tuple[dict[str, int], dict[int, str]]:
    lookup: dict[str, int] = {}
    names: dict[int, str] = {}
    for pk, code, name in GridArea.objects.values_list("pk", "code", "name"):
        lookup[clean_text(code).lower()] = pk
        lookup[clean_text(name).lower()] = pk
        names[pk] = name
    return lookup, names


def refuse_unknown_grids(
    rows: list[ParsedRow], *, allowed: Collection[str], header: str
) -> list[str]:
    """Make invalid each valid row naming a grid area the registry lacks, unless its name is
    in ``allowed`` (the new grid areas the admin confirmed creating). Returns the names
    refused, in file order. One query."""
    lookup, _names = _grid_lookup()
    allowed = set(allowed)
    refused: dict[str, None] = {}
    for parsed in rows:
        grid = parsed.grid
        if not grid or not parsed.is_valid or grid.lower() in lookup or grid in allowed:
            continue
        refused[grid] = None
        parsed.errors.append(
            RowError(
                parsed.row,
                header,
                _(
                    "There is no grid area %(grid)s yet. Confirm creating it on the import's "
                    "preview (on the command line: --create-grids), or choose an existing one."
                )
                % {"grid": grid},
                "unknown_grid",
            )
        )
    return list(refused)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _existing(codes: list[str], *, lock: bool):
    """The stored enterprises, current liaisons and emergency contacts of these codes."""
    lock_sql = " FOR UPDATE" if lock else ""
    enterprises, liaisons, contacts = {}, {}, {}
    e_cols = ", ".join(ENTERPRISE_FIELDS)
    l_cols = ", ".join(LIAISON_FIELDS)
    c_cols = ", ".join(CONTACT_FIELDS)
    for start in range(0, len(codes), BATCH):
        batch = codes[start : start + BATCH]
        rows = _fetch(
            f"SELECT id, uscc, grid_id, {e_cols} FROM registry_enterprise "
            f"WHERE uscc = ANY(%s){lock_sql}",
            [batch],
        )
        ids = []
        for pk, uscc, grid_id, *values in rows:
            enterprises[uscc] = {
                "id": pk,
                "grid": grid_id,
                **dict(zip(ENTERPRISE_FIELDS, values, strict=True)),
            }
            ids.append(pk)
        for pk, enterprise_id, *values in _fetch(
            f"SELECT id, enterprise_id, {l_cols} FROM registry_liaison "
            f"WHERE enterprise_id = ANY(%s) AND ended_on IS NULL{lock_sql}",
            [ids],
        ):
            liaisons[enterprise_id] = {"id": pk, **dict(zip(LIAISON_FIELDS, values, strict=True))}
        for pk, enterprise_id, *values in _fetch(
            f"SELECT id, enterprise_id, {c_cols} FROM registry_emergencycontact "
            f"WHERE enterprise_id = ANY(%s){lock_sql}",
            [ids],
        ):
            contacts[enterprise_id] = {"id": pk, **dict(zip(CONTACT_FIELDS, values, strict=True))}
    return enterprises, liaisons, contacts


def _same_person(current: dict, new: dict) -> bool:
    """Name + mobile, or the ID number when both sides have one (registry-template.md)."""
    if new.get("id_number") and current.get("id_number"):
        return new["id_number"] == current["id_number"]
    return current["name"] == new.get("name") and current["mobile"] == new.get("mobile")


def _person(liaison: dict) -> str:
    mobile = masking.masked("liaison", "mobile", liaison.get("mobile", ""))
    return f"{liaison.get('name', '')} {mobile}"


def _shown(record: str, name: str, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = "" if value is None else str(value)
    return masking.masked(_KIND[record], name, text)


def build_plan(rows: list[ParsedRow], *, lock: bool = False, progress: Progress | None = None):
    valid = [parsed for parsed in rows if parsed.is_valid]
    invalid = [parsed for parsed in rows if not parsed.is_valid]
    lookup, grid_names = _grid_lookup()
    grid_ids: dict[str, int | None] = {"": None}
    new_grids: list[str] = []
    for parsed in valid:
        if parsed.grid and parsed.grid not in grid_ids:
            pk = lookup.get(parsed.grid.lower())
            grid_ids[parsed.grid] = pk
            if pk is None:
                new_grids.append(parsed.grid)
    plans: list[RowPlan] = []
    for start in range(0, len(valid), BATCH):
        batch = valid[start : start + BATCH]
        enterprises, liaisons, contacts = _existing([p.uscc for p in batch], lock=lock)
        for parsed in batch:
            plans.append(_plan_row(parsed, enterprises, liaisons, contacts, grid_ids, grid_names))
        if progress:
            progress(start + len(batch), len(valid))
    return Plan(rows=plans, invalid=invalid, grid_ids=grid_ids, new_grids=new_grids)


def _plan_row(parsed, enterprises, liaisons, contacts, grid_ids, grid_names) -> RowPlan:
    stored = enterprises.get(parsed.uscc)
    plan = RowPlan(parsed=parsed)
    if stored is None:
        plan.status = "new"
        plan.liaison_action = "create"
        plan.contact_action = "create" if parsed.contact else None
        return plan
    plan.enterprise_id = stored["id"]
    for name, value in parsed.enterprise.items():
        if name != "uscc" and stored[name] != value:
            plan.enterprise_changes[name] = value
            plan.diff.append(
                {
                    "column": _HEADER_OF["enterprise", name],
                    "old": _shown("enterprise", name, stored[name]),
                    "new": _shown("enterprise", name, value),
                }
            )
    if parsed.grid is not None:
        grid_id = grid_ids.get(parsed.grid)
        if grid_id != stored["grid"] or (parsed.grid and grid_id is None):
            plan.enterprise_changes["grid"] = parsed.grid
            plan.diff.append(
                {
                    "column": BY_ALIAS["grid"].header,
                    "old": grid_names.get(stored["grid"], ""),
                    "new": parsed.grid,
                }
            )
    current = liaisons.get(stored["id"])
    if current is None:
        plan.liaison_action = "create"
        plan.diff.append({"column": _("Liaison"), "old": "", "new": parsed.liaison.get("name", "")})
    elif not _same_person(current, parsed.liaison):
        plan.liaison_action = "replace"
        plan.liaison_id = current["id"]
        plan.diff.append(
            {
                "column": _("Liaison (the current one is ended, a new one starts)"),
                "old": _person(current),
                "new": _person(parsed.liaison),
            }
        )
    else:
        plan.liaison_id = current["id"]
        for name, value in parsed.liaison.items():
            if current[name] != value:
                plan.liaison_action = "update"
                plan.diff.append(
                    {
                        "column": _HEADER_OF["liaison", name],
                        "old": _shown("liaison", name, current[name]),
                        "new": _shown("liaison", name, value),
                    }
                )
    if parsed.contact:
        stored_contact = contacts.get(stored["id"])
        if stored_contact is None:
            plan.contact_action = "create"
        else:
            plan.contact_id = stored_contact["id"]
        for name, value in parsed.contact.items():
            old = stored_contact[name] if stored_contact else ""
            if old != value:
                plan.contact_action = plan.contact_action or "update"
                plan.diff.append(
                    {
                        "column": _HEADER_OF["contact", name],
                        "old": _shown("contact", name, old),
                        "new": _shown("contact", name, value),
                    }
                )
    if plan.enterprise_changes or plan.liaison_action or plan.contact_action:
        plan.status = "updated"
    return plan
