"""Workbooks of the kinds parks really send (shared/field-cases/): several sheets, hidden ones,
merged cells, tables that do not start at A1, Excel error values, malformed <dimension>
elements, control characters. Built with openpyxl, or by rewriting a sheet's XML where
openpyxl cannot write the case."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tests.registry.spreadsheet.files import HEADERS, a_row


class Err(str):
    """A value written as an Excel error cell (t="e"), not as text."""


def workbook(sheets: list[dict]) -> bytes:
    """Each sheet: {"title", "rows" (list of lists), "at" ("A1": where the first row's first
    value goes), "state" ("visible" | "hidden" | "veryHidden"), "merge" (list of ranges)}."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.get("title", "Sheet"))
        column0, row0 = _cell(spec.get("at", "A1"))
        for r, values in enumerate(spec.get("rows", [])):
            for c, value in enumerate(values):
                if value is not None and value != "":
                    cell = sheet.cell(row=row0 + r, column=column0 + c, value=value)
                    if isinstance(value, Err):
                        cell.data_type = "e"
                    elif isinstance(value, str) and value.startswith("#"):
                        cell.data_type = "s"  # text, as typed or pasted; not an error cell
        for ref in spec.get("merge", []):
            sheet.merge_cells(ref)
        sheet.sheet_state = spec.get("state", "visible")
    visible = [i for i, s in enumerate(sheets) if s.get("state", "visible") == "visible"]
    if visible:
        book.active = visible[0]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(ref: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return column, int(digits)


def registry(n: int = 3, **overrides) -> list[list]:
    """The header and ``n`` valid rows."""
    return [HEADERS, *(a_row(i, **overrides) for i in range(1, n + 1))]


# --- sheet XML by hand ------------------------------------------------------------------------


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def error(ref: str | None, code: str, formula: str = "VLOOKUP(A2,电话表!A:B,2,FALSE)") -> str:
    r = f' r="{ref}"' if ref else ""
    f = f"<f>{escape(formula)}</f>" if formula else ""
    return f'<c{r} s="0" t="e">{f}<v>{escape(code)}</v></c>'


def row(number: int, cells: list[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def text_row(number: int, values: list[str], first_column: int = 1) -> str:
    cells = [
        text(f"{get_column_letter(first_column + i)}{number}", v)
        for i, v in enumerate(values)
        if v != ""
    ]
    return row(number, cells)


KEEP = object()


def with_sheet_xml(
    sheet_data: str | None = None,
    *,
    dimension: str | object | None = KEEP,
    merges: list[str] = (),
    base: bytes | None = None,
    part: str = "xl/worksheets/sheet1.xml",
    edit=None,
) -> bytes:
    """A workbook (``base``, or a one-sheet openpyxl workbook) whose sheet ``part`` gets
    ``sheet_data`` as its <sheetData> content, ``dimension`` as its <dimension ref>
    (None: no <dimension> at all), the ``merges`` and any last ``edit(xml) -> xml``."""
    if base is None:
        book = Workbook()
        book.active["A1"] = "x"
        buffer = io.BytesIO()
        book.save(buffer)
        base = buffer.getvalue()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                xml = data.decode("utf-8")
                if sheet_data is not None:
                    xml = re.sub(
                        r"<sheetData>.*</sheetData>|<sheetData\s*/>",
                        lambda _m: f"<sheetData>{sheet_data}</sheetData>",
                        xml,
                        flags=re.S,
                    )
                if dimension is None:
                    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
                elif dimension is not KEEP:
                    xml = re.sub(
                        r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml
                    )
                if merges:
                    xml = re.sub(r"<mergeCells.*?</mergeCells>", "", xml, flags=re.S)
                    cells = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                    block = f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'
                    xml = xml.replace("</sheetData>", "</sheetData>" + block, 1)
                if edit is not None:
                    xml = edit(xml)
                data = xml.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def registry_xml(rows: list[list[str]], *, first_row: int = 1, first_column: int = 1) -> str:
    """Rows of text as <sheetData> content, the first at ``first_row``/``first_column``."""
    return "".join(
        text_row(first_row + i, values, first_column)
        for i, values in enumerate(rows)
        if any(v != "" for v in values)
    )


def with_shared_strings(base: bytes, cells: dict[str, str]) -> bytes:
    """``base`` (one sheet) with these cells holding shared strings, as Excel writes text (the
    xlsx openpyxl writes has inline strings only)."""
    strings = list(cells.values())
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )

    def cell(xml: str) -> str:
        for index, ref in enumerate(cells):
            xml = re.sub(
                rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', f'<c r="{ref}" t="s"><v>{index}</v></c>', xml
            )
        return xml

    data = with_sheet_xml(base=base, edit=cell)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                part = part.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                part = part.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(item, part)
        target.writestr("xl/sharedStrings.xml", shared.encode("utf-8"))
    return out.getvalue()
