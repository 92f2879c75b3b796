"""The registry as the spreadsheet the park keeps: the template's layout with the Chinese
headers, one row per enterprise with its current liaison and emergency contact. A file
exported and imported again changes nothing.

Read with one joined query through a server-side cursor (bounded memory at 100k rows);
xlsx written by openpyxl's write-only mode. Values a spreadsheet would run as formulas are
neutralised (columns.neutralise). Protected values are masked unless the user may see them;
an export that contains any unmasked protected value is logged as a SensitiveView.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from core.replica import read_connection
from registry import annual_reports, clock, masking
from registry.access import visible_enterprises
from registry.models import Enterprise, GridArea, SecurityEvent, SensitiveView
from registry.normalize import SIZE_LABELS_ZH
from registry.security_log import security_event_record
from registry.spreadsheet.columns import BY_ALIAS, COLUMNS, neutralise
from registry.sql import importing as importing_sql

_KIND = {"enterprise": "enterprise", "liaison": "liaison", "contact": "emergencycontact"}


def _display(column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if column.field == "size":
        return SIZE_LABELS_ZH.get(value, value)
    return str(value)


def _rows(enterprise_ids_sql: str, params: list, user) -> Iterator[list[str]]:
    masks = []
    for column in COLUMNS:
        kind = _KIND.get(column.record)
        hide = (
            kind is not None
            and masking.is_protected(kind, column.field)
            and user is not None
            and not masking.may_unmask(user, kind, column.field)
        )
        masks.append((kind, column.field) if hide else None)
    # The report due today (last year's), as the import reads a file without 年报年度.
    sql = importing_sql.export_rows(
        [(c.record, c.field) for c in COLUMNS],
        enterprise_ids_sql,
        report_year=annual_reports.due_year(clock.today()),
    )
    # A named (server-side) cursor streams the rows instead of loading 100k into memory; from
    # the replica when the caller marked the export lag-tolerant (core/replica.py).
    database = read_connection(Enterprise)
    with transaction.atomic(using=database.alias), database.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2_000):
            for values in chunk:
                yield [
                    neutralise(
                        masking.masked(mask[0], mask[1], _display(column, value))
                        if mask
                        else _display(column, value)
                    )
                    for column, value, mask in zip(COLUMNS, values, masks, strict=True)
                ]


def _text_columns(sheet) -> list:
    """Format the columns of digits (Column.keeps_digits) as Text: their own format, which a
    row added in Excel takes, and one reused styled cell per column for the rows written. A
    write-only sheet writes each row as it is appended, so the cells can be reused."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    cells = []
    for index, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = max(12, len(column.header) * 2 + 4)
        if column.keeps_digits:
            dimension.number_format = "@"
            cell = WriteOnlyCell(sheet)
            cell.number_format = "@"
            cells.append(cell)
        else:
            cells.append(None)
    return cells


def _as_text(row: list[str], text_cells: list) -> list:
    out = []
    for value, cell in zip(row, text_cells, strict=True):
        if cell is not None and value:
            cell.value = value
            out.append(cell)
        else:
            out.append(value)
    return out


def unmasked_fields(user) -> list[str]:
    """The protected columns this user's export shows in full."""
    if user is None:
        return []
    return [
        f"{_KIND[c.record]}.{c.field}"
        for c in COLUMNS
        if c.record in _KIND
        and masking.is_protected(_KIND[c.record], c.field)
        and masking.may_unmask(user, _KIND[c.record], c.field)
    ]


def registry_export(
    *,
    out: str | Path | IO,
    fmt: str,
    user=None,
    grid: GridArea | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    selection=None,
) -> int:
    """Write the registry (what ``user`` may see; everything for the command line) and return
    the number of rows. ``fmt``: "xlsx" or "csv" (UTF-8 with BOM, as Excel expects; a CSV
    cannot carry the Text format of the columns of digits, README "Command line").
    ``ip_address`` and ``user_agent``: the request's, for the logs (as a reveal has them).
    ``selection``: a queryset of enterprises chosen on the list (registry.selection), within
    what the user may see all the same."""
    enterprises = visible_enterprises(user) if user is not None else _all()
    if grid is not None:
        enterprises = enterprises.filter(grid=grid)
    if selection is not None:
        enterprises = enterprises.filter(pk__in=selection.order_by().values("pk"))
    inner_sql, params = enterprises.values("id").query.sql_with_params()
    rows = _rows(inner_sql, list(params), user)
    write = _write_csv if fmt == "csv" else _write_xlsx
    count = write(out, [c.header for c in COLUMNS], rows)
    _log_export(
        user=user,
        target=grid.code if grid else ("selection" if selection is not None else "*"),
        fmt=fmt,
        count=count,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return count


def _write_csv(out, headers: list[str], rows: Iterator[list[str]]) -> int:
    count = 0
    handle, close = _text_handle(out)
    try:
        handle.write("\ufeff")
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(row)
            count += 1
    finally:
        close()
    return count


def _write_xlsx(out, headers: list[str], rows: Iterator[list[str]]) -> int:
    from openpyxl import Workbook

    count = 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    text_cells = _text_columns(sheet)
    sheet.append(headers)
    for row in rows:
        sheet.append(_as_text(row, text_cells))
        count += 1
    workbook.save(out)
    return count


def _log_export(*, user, target: str, fmt: str, count: int, ip_address, user_agent: str) -> None:
    """A SensitiveView when the export showed protected values in full; a security event
    always."""
    shown = unmasked_fields(user)
    if user is not None and count and shown:
        # One row per export, naming every column it showed in full.
        SensitiveView.objects.create(
            user=user,
            enterprise=None,
            record="export",
            record_id=target[:30],
            fields=shown,
            detail=_("%(format)s, %(count)s rows") % {"format": fmt, "count": count},
            channel=SensitiveView.Channel.EXPORT,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300],
        )
    security_event_record(
        action=SecurityEvent.Action.EXPORT,
        at=clock.now(),
        by=user,
        address=ip_address,
        target=target,
        detail={
            "what": "registry",
            "format": fmt,
            "rows": count,
            "unmasked": shown if user is not None else ["*"],
        },
    )


def _all():
    from registry.models import Enterprise

    return Enterprise.objects.all()


def _text_handle(out):
    if isinstance(out, str | Path):
        handle = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115
        return handle, handle.close
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    return wrapper, wrapper.detach


def invalid_rows_workbook(*, source, filename: str, out) -> int:
    """The file's invalid rows, as they were typed, with an error column: to fix and upload
    again. Returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from registry.spreadsheet.planning import parsed_rows, read_codes
    from registry.spreadsheet.reading import read_sheet

    sheet = read_sheet(source, filename=filename)
    codes = read_codes(sheet)
    aliases = list(sheet.headers)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("错误行")
    for index, alias in enumerate(aliases, start=2):
        if BY_ALIAS[alias].keeps_digits:  # typed again here, the digits must stay
            ws.column_dimensions[get_column_letter(index)].number_format = "@"
    ws.append([_("Excel row"), *(sheet.headers[a] for a in aliases), _("Errors")])
    count = 0
    for parsed in parsed_rows(sheet, codes, keep_raw=True):
        if parsed.is_valid:
            continue
        raw = parsed.raw or {}
        values = [
            neutralise(v) if isinstance(v, str) else v for v in (raw.get(a, "") for a in aliases)
        ]
        errors = "; ".join(f"{e.column}: {e.message}" for e in parsed.errors)
        ws.append([parsed.row, *values, neutralise(errors)])
        count += 1
    workbook.save(out)
    return count
