"""Reading a registry spreadsheet as it really is: .xlsx (python-calamine, fast at 100k rows;
openpyxl when calamine refuses a sheet) or .csv in UTF-8 (with or without BOM) or
GBK/GB18030, a title row above the header, blank rows anywhere. A file that cannot be read at
all raises ``UnreadableFile`` with a one-line reason, before anything is written.

Workbooks as parks really keep them:
- the registry need not be the first sheet: hidden and very hidden sheets and sheets without
  the registry header are skipped, the first sheet with the header is read (``Sheet.name``),
  and when none has it the reason names every sheet looked at;
- row numbers are the ones Excel shows, wherever the table starts;
- a cell merged down over several rows below the header gives its value to each of them;
- an Excel error value (``#N/A`` ...) reaches the row as ``cells.ExcelError``, never as empty
  (calamine reads error cells as empty, so the sheet's XML tells where they are);
- a malformed ``<dimension>`` only sends the sheet to the other reader.

An .xlsx is a zip of XML parts, so before a parser sees it the zip's own directory is checked
against the limits (a zip bomb declares its real sizes there) and every XML part is streamed
through once, whole, in bounded chunks: a part that declares a DTD (the door to external
entities and "billion laughs") is refused wherever the declaration sits, and the worksheets'
merged ranges and error cells are noted on the way.
"""

from __future__ import annotations

import csv
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from registry.spreadsheet.cells import ExcelError
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
    # see ``rows``; given aliases, only those columns' values
    open_rows: Callable[..., Iterator[tuple[int, dict[str, object]]]]
    estimated_rows: int  # for the progress bar
    kind: str = "xlsx"
    encoding: str = ""
    name: str = ""  # the worksheet read (.xlsx); "" for a CSV
    _positions: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """The data rows below the header, read lazily: (Excel row number, alias -> raw
        value). Each use reads them again from the start (the import reads them twice: the
        credit codes first, for the duplicates, then every row in batches), so the parsed
        rows of a 100,000-row file are never all held at once."""
        return self.open_rows()

    def rows_of(self, *aliases: str) -> Iterator[tuple[int, dict[str, object]]]:
        """``rows`` with only these columns' values (those the file has): the same rows, the
        same numbers, without building every row's values (the credit codes' pass)."""
        return self.open_rows(aliases)


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
        return _xlsx(data, path=source if isinstance(source, str | Path) else None)
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


def _damaged() -> UnreadableFile:
    return UnreadableFile(_("The workbook is damaged and cannot be read."))


# --- .xlsx: the zip and its parts -------------------------------------------------------------

_CHUNK = 1024 * 1024  # parts are streamed in pieces of this size, never read whole
_OVERLAP = 1024  # bytes carried into the next piece, so a tag cut in two is still seen


@dataclass
class _PartScan:
    """What a worksheet's XML says that calamine does not tell."""

    merges: set[tuple[int, int, int, int]] = field(default_factory=set)  # top, left, bottom, right
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> "#N/A"
    unlocated_errors: bool = False  # an error cell without a reference: openpyxl reads the sheet
    size: int = 0  # the part's uncompressed size, for a row estimate when openpyxl reads it


@dataclass
class _WorkbookSheet:
    name: str
    state: str  # "visible" | "hidden" | "veryHidden"
    part: str | None  # the worksheet's zip member; None for a chart or dialog sheet


_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}[0-9]{1,7})"
    rb"(?::([A-Za-z]{1,3}[0-9]{1,7}))?[\"']"
)
_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"']")
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")
_ERROR_TYPE = (b't="e"', b"t='e'")


def _column_index(letters: bytes) -> int:
    """Column letters as a 0-based index (A -> 0, AA -> 26)."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def _check_zip(data: bytes) -> tuple[list[_WorkbookSheet], dict[str, _PartScan]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged() from None
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
    scans: dict[str, _PartScan] = {}
    try:
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                worksheet = member.filename.startswith("xl/worksheets/")
                with archive.open(member) as part:
                    scan = _scan_part(part, worksheet=worksheet)
                if worksheet:
                    scan.size = member.file_size
                    scans[member.filename] = scan
        sheets = _workbook_sheets(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, SyntaxError, zlib.error):
        raise _damaged() from None
    return sheets, scans


def _scan_part(part: IO[bytes], *, worksheet: bool) -> _PartScan:
    """Stream one XML part once: refuse a DTD anywhere in it; in a worksheet, note the merged
    ranges and where the error cells are (and which error each holds)."""
    scan = _PartScan()
    carry = b""
    while True:
        chunk = part.read(_CHUNK)
        final = not chunk
        buffer = carry + chunk if carry else chunk
        at = buffer.find(b"<!")
        while at != -1:
            word = buffer[at + 2 : at + 9].upper()
            if word.startswith((b"DOCTYPE", b"ENTITY")):
                raise UnreadableFile(
                    _("The workbook declares XML entities (a DTD); it is refused for safety.")
                )
            at = buffer.find(b"<!", at + 2)
        keep = len(buffer) if final else max(len(buffer) - _OVERLAP, 0)
        if worksheet:
            if b"mergeCell" in buffer:
                for match in _MERGE.finditer(buffer):
                    scan.merges.add(_merge_range(match))
            keep = min(keep, _error_cells(buffer, scan, final=final))
        if final:
            return scan
        carry = buffer[keep:]


def _merge_range(match: re.Match) -> tuple[int, int, int, int]:
    first = _REF.fullmatch(match.group(1))
    last = _REF.fullmatch(match.group(2) or match.group(1))
    top, bottom = int(first.group(2)), int(last.group(2))
    left, right = _column_index(first.group(1)), _column_index(last.group(1))
    return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def _error_cells(buffer: bytes, scan: _PartScan, *, final: bool) -> int:
    """Note every complete error cell (``<c ... t="e">…<v>#N/A</v></c>``) in the buffer;
    return where the first incomplete one starts (to be carried on), else len(buffer)."""
    hits = []
    for needle in _ERROR_TYPE:
        at = buffer.find(needle)
        while at != -1:
            hits.append(at)
            at = buffer.find(needle, at + 1)
    for hit in sorted(hits):
        if buffer[hit - 1 : hit] not in (b" ", b"\t", b"\n", b"\r"):
            continue  # "fmt="e"" is not the type attribute
        start = buffer.rfind(b"<", 0, hit)
        if start == -1:
            continue  # the tag's start is before the carried overlap: it was seen before
        name = re.match(rb"<([\w:]+)", buffer[start : hit + 1])
        if not name or name.group(1).split(b":")[-1] != b"c":
            continue
        tag_end = buffer.find(b">", hit)
        if tag_end == -1:
            return len(buffer) if final else start
        if buffer[tag_end - 1 : tag_end] == b"/":
            body_end, value = tag_end, b""
        else:
            body_end = buffer.find(b"</" + name.group(1) + b">", tag_end)
            if body_end == -1:
                if final:
                    break
                return start
            found = _VALUE.search(buffer, tag_end, body_end)
            value = found.group(1) if found else b""
        ref = _CELL_REF.search(buffer, start, tag_end + 1)
        if ref is None:
            scan.unlocated_errors = True
            continue
        text = value.decode("utf-8", "replace").strip() or "#VALUE!"
        scan.errors[int(ref.group(2)), _column_index(ref.group(1))] = text
    return len(buffer)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _workbook_sheets(archive: zipfile.ZipFile) -> list[_WorkbookSheet]:
    """The workbook's sheets in tab order, with their state and worksheet part."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets: dict[str, tuple[str, str]] = {}
    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        rels = None
    for rel in rels.iter() if rels is not None else ():
        if _local(rel.tag) == "Relationship":
            targets[rel.get("Id", "")] = (rel.get("Type", ""), rel.get("Target", ""))
    sheets = []
    for element in root.iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
        kind, target = targets.get(rid, ("", ""))
        part = None
        if kind.endswith("/worksheet") and target:
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
        sheets.append(
            _WorkbookSheet(
                name=element.get("name", ""), state=element.get("state", "visible"), part=part
            )
        )
    return sheets


# --- .xlsx: the readers ------------------------------------------------------------------------

Numbered = Iterator[tuple[int, list]]  # (Excel row number, values by 0-based column)


def _calamine_rows(
    book, sheet: _WorkbookSheet, scan: _PartScan
) -> tuple[Callable[[], Numbered], int]:
    """The sheet's rows (a function that reads them again from the top each time it is called)
    and their number. Raises whatever calamine raises when it refuses the sheet."""
    worksheet = book.get_sheet_by_name(sheet.name)
    start = worksheet.start
    end = worksheet.end
    pad = [""] * (start[1] if start else 0)
    errors: dict[int, list[tuple[int, str]]] = {}
    for (row, column), text in scan.errors.items():
        errors.setdefault(row, []).append((column, text))

    def numbered() -> Numbered:
        # calamine's iter_rows starts at the sheet's first row (empty rows above the table
        # included) and at the used range's first column: the index is Excel's row - 1.
        for index, values in enumerate(worksheet.iter_rows()):
            if pad:
                values = pad + values
            if errors and index + 1 in errors:
                values = list(values)
                for column, text in errors[index + 1]:
                    if column >= len(values):
                        values.extend([""] * (column + 1 - len(values)))
                    values[column] = ExcelError(text)
            yield index + 1, values

    return numbered, (end[0] + 1 if end else 0)


class _OpenpyxlBook:
    """The other reader, opened once and only when calamine refuses a sheet. openpyxl's own
    worksheets are left aside (its read-only sheet parses the <dimension> as it opens, and
    refuses the very kinds calamine refused): its sheet parser reads the part directly."""

    def __init__(self, data: bytes):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        try:
            reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            reader.read_theme()
            apply_stylesheet(reader.archive, reader.wb)
        except Exception:
            raise _damaged() from None
        self.reader = reader

    def rows(self, sheet: _WorkbookSheet) -> Callable[[], Numbered]:
        """A function that parses the sheet's part again from the top each time it is called."""
        from openpyxl.worksheet._reader import WorkSheetParser

        reader, book = self.reader, self.reader.wb

        def numbered() -> Numbered:
            try:
                with reader.archive.open(sheet.part) as source:
                    parser = WorkSheetParser(
                        source,
                        reader.shared_strings,
                        data_only=True,
                        epoch=book.epoch,
                        date_formats=book._date_formats,
                        timedelta_formats=book._timedelta_formats,
                    )
                    for number, cells in parser.parse():
                        width = max((cell["column"] for cell in cells), default=0)
                        values: list = [None] * width
                        for cell in cells:
                            value = cell["value"]
                            if cell["data_type"] == "e" and value is not None:
                                value = ExcelError(value)
                            values[cell["column"] - 1] = value
                        yield number, values
            except UnreadableFile:
                raise
            except Exception:
                raise _damaged() from None

        return numbered


def _xlsx(data: bytes, *, path: str | Path | None = None) -> Sheet:
    """``path``: the file ``data`` was read from; calamine reads it there, without a copy of
    its own of the bytes (13 MB less at the peak for a 100,000-row file)."""
    from python_calamine import CalamineWorkbook

    sheets, scans = _check_zip(data)
    try:
        if path is not None:
            calamine = CalamineWorkbook.from_path(str(path))
        else:
            calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        calamine = None  # the other reader is tried sheet by sheet
    fallback: _OpenpyxlBook | None = None
    looked: list[str] = []
    all_empty = True
    for sheet in sheets:
        if sheet.state != "visible":
            looked.append(_("“%(name)s”: hidden, skipped") % {"name": sheet.name})
            all_empty = False
            continue
        if sheet.part is None:
            looked.append(_("“%(name)s”: not a worksheet, skipped") % {"name": sheet.name})
            continue
        scan = scans.get(sheet.part, _PartScan())
        opened = None
        if calamine is not None and not scan.unlocated_errors:
            try:
                opened, estimate = _calamine_rows(calamine, sheet, scan)
            except Exception:
                opened = None  # calamine refuses this sheet (e.g. a malformed <dimension>)
        if opened is None:
            fallback = fallback or _OpenpyxlBook(data)
            opened = fallback.rows(sheet)
            estimate = scan.size // 300  # about the XML of one registry row
        try:
            header = _find_header(opened())
        except _NoHeader as why:
            all_empty &= why.empty
            looked.append(why.describe(sheet.name))
            continue
        return _sheet(
            header,
            opened,
            estimated_rows=estimate,
            kind="xlsx",
            name=sheet.name,
            merges=scan.merges,
        )
    if all_empty:
        raise UnreadableFile(_("The file is empty."))
    raise UnreadableFile(
        _(
            "No sheet has the registry's header row (headers such as %(headers)s, within the "
            "first %(rows)s rows). Sheets looked at: %(sheets)s."
        )
        % {
            "headers": "、".join(c.header for c in REQUIRED),
            "rows": HEADER_SEARCH_ROWS,
            "sheets": _("; ").join(looked),
        }
    )


# --- .csv -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding. Bytes that are not valid in the encoding are never dropped
    nor guessed around: they become U+FFFD, and the row holding one is invalid
    (cells.check_cell) with a message at its row."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    head = data[:65536]
    # Binary data (or UTF-16) is full of NULs; a stray one in a text file is reported at its
    # row instead (cells.check_cell), never dropped.
    if head.count(b"\x00") * 100 > len(head):
        raise UnreadableFile(
            _("This file is not a spreadsheet (.xlsx or .csv), whatever its name.")
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        # UTF-8 up to a broken byte, after text only UTF-8 decodes (the Chinese header at
        # least): a UTF-8 file with a few bad bytes, not a GBK one.
        before = data[: error.start].decode("utf-8")
        if sum(1 for ch in before if ord(ch) > 0x7F) >= 8:
            return data.decode("utf-8", errors="replace"), "utf-8"
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

    def records() -> Numbered:
        # A quoted cell can span lines; Excel counts records, not physical lines.
        try:
            yield from enumerate(csv.reader(io.StringIO(text)), start=1)
        except csv.Error:
            raise UnreadableFile(_("The CSV file is malformed and cannot be read.")) from None

    try:
        header = _find_header(records())
    except _NoHeader as why:
        raise UnreadableFile(why.reason()) from None
    return _sheet(header, records, estimated_rows=lines, kind="csv", encoding=encoding)


# --- header row -----------------------------------------------------------------------------


class _NoHeader(Exception):
    def __init__(self, *, empty: bool = False, missing: list[str] | None = None, row: int = 0):
        self.empty, self.missing, self.row = empty, missing, row

    def reason(self) -> str:
        """For a file of one table (a CSV)."""
        if self.empty:
            return _("The file is empty.")
        if self.missing is None:
            return _(
                "No header row found in the first %(rows)s rows: the registry template "
                "needs headers such as %(headers)s."
            ) % {"rows": HEADER_SEARCH_ROWS, "headers": "、".join(c.header for c in REQUIRED)}
        return _("Required column(s) missing: %(columns)s (header row %(row)s).") % {
            "columns": "、".join(self.missing),
            "row": self.row,
        }

    def describe(self, name: str) -> str:
        """For one sheet of a workbook, in the list of sheets looked at."""
        if self.empty:
            return _("“%(name)s”: empty") % {"name": name}
        if self.missing is None:
            return _("“%(name)s”: no header row") % {"name": name}
        return _("“%(name)s”: required column(s) missing: %(columns)s (header row %(row)s)") % {
            "name": name,
            "columns": "、".join(self.missing),
            "row": self.row,
        }


def _find_header(numbered: Numbered) -> tuple[int, list]:
    """The header: the first row, within HEADER_SEARCH_ROWS of the first non-blank one, that
    holds every required column. Consumes ``numbered`` up to and including it."""
    best: tuple[int, list] | None = None
    best_found: set[str] = set()
    first = None
    for number, values in numbered:
        if first is None:
            if not any(_present(v) for v in values):
                continue
            first = number
        if number >= first + HEADER_SEARCH_ROWS:
            break  # a gap in the rows the reader gave
        found = {c.alias for c in (column_for(v) for v in values) if c is not None}
        if all(column.alias in found for column in REQUIRED):
            return number, values
        if len(found) > len(best_found):
            best, best_found = (number, values), found
        if number == first + HEADER_SEARCH_ROWS - 1:
            break
    if first is None:
        raise _NoHeader(empty=True)
    if best is None or len(best_found) < 2:
        raise _NoHeader()
    raise _NoHeader(missing=[c.header for c in REQUIRED if c.alias not in best_found], row=best[0])


def _sheet(
    header: tuple[int, list],
    opened: Callable[[], Numbered],
    *,
    estimated_rows: int,
    kind: str,
    encoding: str = "",
    name: str = "",
    merges: Iterable[tuple[int, int, int, int]] = (),
) -> Sheet:
    """The sheet whose header is ``header``; ``opened()`` reads its rows from the top."""
    header_number, header_values = header
    positions, headers, unknown = _columns(header_values)
    items = tuple(positions.items())
    # Merged ranges that start below the header; those over the title or the header itself
    # (a two-line header) give nothing to the data rows.
    below = sorted(m for m in merges if m[0] > header_number and m[2] > m[0])

    def rows(only: tuple[str, ...] | None = None) -> Iterator[tuple[int, dict[str, object]]]:
        taken = items if only is None else tuple(i for i in items if i[0] in only)
        numbered = itertools.dropwhile(lambda row: row[0] <= header_number, opened())
        # Without merges below the header, only the blank rows are left out (_merged_down).
        kept = _merged_down(numbered, below) if below else _not_blank(numbered)
        for number, values in kept:
            width = len(values)
            yield (
                number,
                {alias: values[index] if index < width else "" for alias, index in taken},
            )

    return Sheet(
        header_row=header_number,
        headers=headers,
        unknown_headers=unknown,
        open_rows=rows,
        estimated_rows=max(estimated_rows - header_number, 0),
        kind=kind,
        encoding=encoding,
        name=name,
        _positions=positions,
    )


def _columns(header_values: list) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """The header row read: alias -> column index, alias -> header as written, and the
    headers of columns the template does not have."""
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
    return positions, headers, unknown


def _merged_down(numbered: Numbered, merges: list[tuple[int, int, int, int]]) -> Numbered:
    """The non-blank rows, a merged cell's value given to every row its range covers: Excel
    keeps it in the top-left cell only, and shows it beside every row. ``merges``: (top, left,
    bottom, right), sorted. Blank rows are skipped and not counted (a merge does not fill one).
    """
    pending = deque(merges)
    active: list[tuple[int, object, int]] = []  # (column, top-left value, last row)
    for number, values in numbered:
        blank = not any(map(_present, values))
        if pending or active:
            while pending and pending[0][0] <= number:
                top, left, bottom, _right = pending.popleft()
                if top == number:
                    value = values[left] if left < len(values) else None
                    active.append((left, value, bottom))
                # else: a top row the reader never gave (no cells): nothing to spread
            kept = []
            for column, value, bottom in active:
                if bottom < number:
                    continue
                kept.append((column, value, bottom))
                if not blank:
                    if column >= len(values):
                        values = list(values) + [None] * (column + 1 - len(values))
                    values[column] = value
            active[:] = kept
        if not blank:
            yield number, values


def _not_blank(numbered: Numbered) -> Numbered:
    """The non-blank rows (_merged_down without merges)."""
    for row in numbered:
        if any(map(_present, row[1])):
            yield row


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""
