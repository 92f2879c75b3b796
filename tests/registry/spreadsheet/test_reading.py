"""Files that cannot be read at all: a one-line reason, exit code 2, nothing written, no 500.
And the encodings and layouts admins really send."""

import io
import zipfile

import pytest
from django.core.management import call_command

from registry.models import Enterprise
from registry.spreadsheet.reading import UnreadableFile, read_sheet
from tests.registry.spreadsheet.files import HEADERS, a_row, csv_bytes, xlsx_bytes


def _reason(data: bytes, name: str) -> str:
    with pytest.raises(UnreadableFile) as error:
        read_sheet(io.BytesIO(data), filename=name)
    reason = str(error.value)
    assert "\n" not in reason and reason
    return reason


def test_a_pdf_is_refused_by_its_type():
    assert ".pdf" in _reason(b"%PDF-1.4 ...", "registry.pdf")


def test_a_renamed_picture_is_refused_as_xlsx_and_as_csv():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert "Excel" in _reason(png, "registry.xlsx") or "xlsx" in _reason(png, "registry.xlsx")
    assert _reason(png, "registry.csv")


def test_an_empty_file_and_a_file_of_blank_lines_are_empty():
    assert _reason(b"", "registry.csv") == _reason(b"\n\n ,, \n", "registry.csv")


def test_a_sheet_without_a_header_row_says_which_headers_it_needs():
    reason = _reason(xlsx_bytes([["a", "b"], [1, 2]]), "registry.xlsx")
    assert "统一社会信用代码" in reason


def test_a_missing_required_column_is_named():
    headers = [h for h in HEADERS if h != "联络员手机"]
    reason = _reason(csv_bytes([headers, a_row(1)[:5]]), "registry.csv")
    assert "联络员手机" in reason and "统一社会信用代码" not in reason


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 1024 * 1024
    assert "1 MB" in _reason(b"x" * (1024 * 1024 + 1), "registry.csv")


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * 300_000_000})
    assert len(bomb) < 1_000_000
    assert "unpacks" in _reason(bomb, "registry.xlsx") or _reason(bomb, "registry.xlsx")


def test_an_xlsx_with_an_external_entity_is_refused():
    data = xlsx_bytes([HEADERS, a_row(1)])
    with zipfile.ZipFile(io.BytesIO(data)) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    dtd = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    if sheet.startswith(b"<?xml"):
        declaration, _end, rest = sheet.partition(b"?>")
        sheet = declaration + b"?>" + dtd + rest
    else:
        sheet = dtd + sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<v>", b"<v>&xxe;", 1)
    assert "DTD" in _reason(_zip(parts), "registry.xlsx")


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx():
    assert ".xlsx" in _reason(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "registry.xls")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_excel_writes_is_read(encoding):
    sheet = read_sheet(
        io.BytesIO(csv_bytes([HEADERS, a_row(1, 企业名称="上海甲乙科技有限公司")], encoding)),
        filename="名册.csv",
    )
    (_number, values), *_rest = list(sheet.rows)
    assert values["name"] == "上海甲乙科技有限公司"


def test_a_title_row_blank_rows_and_english_headers_are_understood():
    headers = [" USCC ", "Name", "registered_address", "GRID", "liaison_name", "liaison_mobile"]
    rows = [["某某园区企业联络员名册（2026年）"], [], headers, [], a_row(1), [None] * 6, a_row(2)]
    sheet = read_sheet(io.BytesIO(xlsx_bytes(rows)), filename="名册.xlsx")
    assert sheet.header_row == 3
    assert [number for number, _values in sheet.rows] == [5, 7]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data",
    [
        ("registry.pdf", b"%PDF"),
        ("registry.csv", b""),
        ("registry.xlsx", b"not a zip at all"),
        ("registry.csv", "甲,乙\n1,2\n".encode()),
    ],
)
def test_the_command_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SystemExit) as exit_:
        call_command("import_registry", str(path))
    assert exit_.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not Enterprise.objects.exists()
