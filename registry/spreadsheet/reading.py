"""Reading a registry spreadsheet as it really is: .xlsx (python-calamine, fast at 100k rows)
or .csv in UTF-8 (with or without BOM) or GBK/GB18030, a title row above the header, blank
rows anywhere. A file that cannot be read at all raises ``UnreadableFile`` with a one-line
reason, before anything is written.

An .xlsx is a zip of XML parts, so before a parser sees it the zip's own directory is checked
against the limits (a zip bomb declares its real sizes there) and every XML part is refused if
it declares a DTD (the door to external entities and "billion laughs").
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from registry.spreadsheet.columns import REQUIRED, column_for, header_key

HEADER_SEARCH_ROWS = 10  # the header is the first row within these that holds the required ones
EXTENSIONS = (".xlsx", ".csv")


class UnreadableFile(Exception):
    """The file itself cannot be read; ``str(error)`` is the one-line reason for the user."""


@dataclass
class Sheet:
    header_row: int  # Excel row number of the header
    headers: dict[str, str]  # alias -> header as written in the file
    unknown_headers: list[str]
    rows: Iterator[tuple[int, dict[str, object]]]  # (Excel row number, alias -> raw value)
    estimated_rows: int  # for the progress bar
    kind: str = "xlsx"
    encoding: str = ""
    _positions: dict[str, int] = field(default_factory=dict)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return _limit("REGISTRY_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def read_sheet(source: str | Path | IO[bytes], *, filename: str) -> Sheet:
    """Open a spreadsheet, find its header row and columns; rows are read lazily."""
    data = _bytes(source)
    suffix = Path(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UnreadableFile(
            _("Only .xlsx and .csv files can be imported (this one is %(suffix)s).")
            % {"suffix": suffix or _("without an extension")}
        )
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(
            _("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx and upload it again.")
        )
    if suffix == ".xlsx":
        raise UnreadableFile(_("This file is not an Excel workbook (.xlsx), whatever its name."))
    return _csv(data)


def _bytes(source) -> bytes:
    limit = max_bytes()
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": limit // (1024 * 1024)}
        )
    return data


# --- .xlsx ----------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(_("The workbook is damaged and cannot be read.")) from None
    max_total = _limit("REGISTRY_IMPORT_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
    max_ratio = _limit("REGISTRY_IMPORT_MAX_RATIO", 200)
    total = sum(member.file_size for member in members)
    bomb = len(members) > 10_000 or total > max_total
    for member in members:
        if member.file_size > 1024 * 1024:
            bomb |= member.file_size > max_ratio * max(member.compress_size, 1)
    if bomb:
        raise UnreadableFile(
            _("The workbook unpacks to far more data than a registry holds; it is refused.")
        )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(_("This file is not an Excel workbook (.xlsx), whatever its name."))
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                # A DTD must come before the root element, so the start of a part suffices.
                head = part.read(64 * 1024).upper()
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UnreadableFile(
                    _("The workbook declares XML entities (a DTD); it is refused for safety.")
                )


def _xlsx(data: bytes) -> Sheet:
    from python_calamine import CalamineWorkbook

    _check_zip(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        first_row = sheet.start[0] if sheet.start else 0
        rows = sheet.iter_rows()
        height = sheet.height
    except Exception:
        raise UnreadableFile(_("The workbook is damaged and cannot be read.")) from None
    numbered = ((first_row + index + 1, list(values)) for index, values in enumerate(rows))
    return _sheet(numbered, estimated_rows=height, kind="xlsx")


# --- .csv -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if b"\x00" in data[:65536]:
        raise UnreadableFile(
            _("This file is not a spreadsheet (.xlsx or .csv), whatever its name.")
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Excel on a Chinese Windows writes.
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The CSV file is neither UTF-8 nor GBK text. Save it from Excel as .xlsx instead.")
        ) from None


def _csv(data: bytes) -> Sheet:
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError:
        raise UnreadableFile(_("The CSV file is not valid UTF-8 text.")) from None
    del data
    lines = text.count("\n") + 1
    reader = csv.reader(io.StringIO(text))

    def numbered():
        try:
            for values in reader:
                # A quoted cell can span lines; Excel counts records, not physical lines.
                yield reader.line_num, values
        except csv.Error:
            raise UnreadableFile(_("The CSV file is malformed and cannot be read.")) from None

    # csv's line_num is the physical line the record ended on; Excel's row is the record count.
    def as_records():
        for index, (_line, values) in enumerate(numbered(), start=1):
            yield index, values

    return _sheet(as_records(), estimated_rows=lines, kind="csv", encoding=encoding)


# --- header row -----------------------------------------------------------------------------


def _sheet(numbered, *, estimated_rows: int, kind: str, encoding: str = "") -> Sheet:
    scanned: list[tuple[int, list]] = []
    best: tuple[int, list] | None = None
    best_found: set[str] = set()
    header_at = None
    for number, values in numbered:
        scanned.append((number, values))
        found = {c.alias for c in (column_for(v) for v in values) if c is not None}
        if all(column.alias in found for column in REQUIRED):
            header_at = (number, values)
            break
        if len(found) > len(best_found):
            best, best_found = (number, values), found
        if len(scanned) >= HEADER_SEARCH_ROWS:
            break
    if header_at is None:
        if not any(any(_present(v) for v in values) for _n, values in scanned):
            raise UnreadableFile(_("The file is empty."))
        if best is None or len(best_found) < 2:
            raise UnreadableFile(
                _(
                    "No header row found in the first %(rows)s rows: the registry template "
                    "needs headers such as %(headers)s."
                )
                % {"rows": HEADER_SEARCH_ROWS, "headers": "、".join(c.header for c in REQUIRED)}
            )
        missing = [c.header for c in REQUIRED if c.alias not in best_found]
        raise UnreadableFile(
            _("Required column(s) missing: %(columns)s (header row %(row)s).")
            % {"columns": "、".join(missing), "row": best[0]}
        )
    header_number, header_values = header_at
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for index, value in enumerate(header_values):
        column = column_for(value)
        if column is None:
            if header_key(value):
                unknown.append(str(value).strip())
            continue
        if column.alias in positions:
            raise UnreadableFile(
                _("The column %(header)s appears twice in the header row.")
                % {"header": str(value).strip()}
            )
        positions[column.alias] = index
        headers[column.alias] = str(value).strip()

    def rows():
        for number, values in numbered:
            if not any(_present(v) for v in values):
                continue  # blank rows are skipped and not counted
            yield (
                number,
                {
                    alias: values[index] if index < len(values) else ""
                    for alias, index in positions.items()
                },
            )

    return Sheet(
        header_row=header_number,
        headers=headers,
        unknown_headers=unknown,
        rows=rows(),
        estimated_rows=max(estimated_rows - header_number, 0),
        kind=kind,
        encoding=encoding,
        _positions=positions,
    )


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""
