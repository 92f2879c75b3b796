"""The kinds of real workbook that went wrong (shared/field-cases/, issue #16), each built here
in more than one shape: which sheet is read, merged cells, Excel error values, Excel's row
numbers, malformed <dimension> elements, characters a reader would drop. Asserted as a user
sees them: on the command line, in its JSON report, and on the import pages."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from registry.models import Enterprise, ImportRun
from registry.spreadsheet import reading
from registry.spreadsheet.importing import registry_import
from registry.spreadsheet.reading import UnreadableFile, read_sheet
from registry.spreadsheet.runs import import_run_check
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_uscc
from tests.registry.spreadsheet.field_files import (
    Err,
    error,
    registry,
    registry_xml,
    row,
    text,
    with_shared_strings,
    with_sheet_xml,
    workbook,
)
from tests.registry.spreadsheet.files import HEADERS, a_row, csv_bytes

pytestmark = pytest.mark.django_db

EXCEL_ERROR = "Excel 错误值"
CONTROL = "控制字符"


def _cli(tmp_path, data: bytes, name="名册.xlsx", *options):
    """Run the command; return (exit code, stdout, stderr, report)."""
    path = tmp_path / name
    path.write_bytes(data)
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    code = 0
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_registry", str(path), *options, "--report", str(report), stdout=out, stderr=err
        )
    except SystemExit as exit_:
        code = exit_.code
    data = json.loads(report.read_text("utf-8")) if report.exists() else None
    return code, out.getvalue(), err.getvalue(), data


def _import(data: bytes, name="名册.xlsx", **options):
    return registry_import(source=io.BytesIO(data), filename=name, **options)


def _errors(summary) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in summary.errors]


def _preview(client, admin_user, data: bytes, name="名册.xlsx") -> tuple[ImportRun, str]:
    client.force_login(admin_user)
    client.post(
        reverse("registry:imports"),
        {"file": SimpleUploadedFile(name, data), "mode": "all_or_nothing"},
    )
    run = ImportRun.objects.latest("pk")
    import_run_check(run_id=run.pk)
    run.refresh_from_db()
    return run, client.get(reverse("registry:import_run", args=[run.pk])).content.decode()


# --- which sheet ------------------------------------------------------------------------------

CHOICES = [["企业规模", "所属网格"], ["大型", "甲网格"], ["中型", "乙网格"]]
INSTRUCTIONS = [
    ["填表说明"],
    ["统一社会信用代码：18位，填写营业执照上的代码"],
    ["联络员手机：11位手机号码"],
]


def test_hidden_sheets_and_sheets_without_the_header_are_skipped_and_the_first_with_it_read(
    tmp_path,
):
    data = workbook(
        [
            {"title": "下拉选项", "rows": CHOICES, "state": "hidden"},
            {"title": "填表说明", "rows": INSTRUCTIONS},
            # A very hidden sheet with a perfectly good header is still not what the user sees.
            {"title": "旧名册", "rows": registry(5), "state": "veryHidden"},
            {"title": "企业名册", "rows": [["园区企业联络员名册"], *registry(2)]},
            {"title": "名册副本", "rows": registry(4)},
        ]
    )
    sheet = read_sheet(io.BytesIO(data), filename="名册.xlsx")
    assert sheet.name == "企业名册" and sheet.header_row == 2
    assert [number for number, _values in sheet.rows] == [3, 4]

    code, out, _err, report = _cli(tmp_path, data, "名册.xlsx", "--dry-run", "--create-grids")
    assert code == 0 and report["created"] == 2
    assert report["sheet"] == "企业名册" and report["header_row"] == 2
    assert "读取的工作表：“企业名册”，表头在第 2 行。" in out


def test_when_no_sheet_has_the_header_the_reason_names_every_sheet_looked_at(tmp_path):
    data = workbook(
        [
            {"title": "下拉选项", "rows": CHOICES, "state": "hidden"},
            {"title": "填表说明", "rows": INSTRUCTIONS},
            {
                "title": "企业名册",
                "rows": [["名册"], [h for h in HEADERS if h != "联络员手机"], a_row(1)[:5]],
            },
            {"title": "空白页", "rows": []},
        ]
    )
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(io.BytesIO(data), filename="名册.xlsx")
    reason = str(refused.value)
    assert reason.startswith("没有找到带名册表头的工作表")
    assert "“下拉选项”：隐藏的工作表，已跳过" in reason
    assert "“填表说明”：没有表头行" in reason
    assert "“企业名册”：缺少必填列 联络员手机（表头在第 2 行）" in reason
    assert "“空白页”：空白" in reason

    code, _out, err, report = _cli(tmp_path, data)
    assert code == 2 and report is None
    assert len(err.strip().splitlines()) == 1 and "下拉选项" in err
    assert not Enterprise.objects.exists()


def test_the_preview_says_which_sheet_was_read(client, admin_user, grid_a):
    data = workbook(
        [
            {"title": "下拉选项", "rows": CHOICES, "state": "hidden"},
            {"title": "企业名册", "rows": [["名册"], [], *registry(2)]},
        ]
    )
    run, page = _preview(client, admin_user, data)
    assert run.status == ImportRun.Status.CHECKED
    assert 'data-testid="sheet-read">读取的工作表：“企业名册”，表头在第 3 行。<' in page
    assert 'data-testid="created">2<' in page


def test_a_csv_preview_says_where_the_header_is(client, admin_user, grid_a):
    _run, page = _preview(client, admin_user, csv_bytes([["名册"], *registry(1)]), "名册.csv")
    assert 'data-testid="sheet-read">表头在第 2 行。<' in page


# --- merged cells -----------------------------------------------------------------------------


def test_a_merged_cell_below_the_header_gives_its_value_to_every_row_it_covers(grid_a):
    rows = [["某某园区企业联络员名册（2026年）"], HEADERS]
    rows += [a_row(n, 所属网格="乙网格", 注册地址="上海市共用地址1号") for n in range(1, 6)]
    data = workbook(
        [
            {
                "title": "名册",
                "rows": rows,
                # The title over the columns, the grid over rows 3-5 and the address (another
                # column) over rows 5-7: Excel keeps each value in the range's first cell only.
                "merge": ["A1:F1", "D3:D5", "C5:C7"],
            }
        ]
    )
    sheet = read_sheet(io.BytesIO(data), filename="名册.xlsx")
    got = {number: (values["grid"], values["registered_address"]) for number, values in sheet.rows}
    assert got == {n: ("乙网格", "上海市共用地址1号") for n in range(3, 8)}


def test_a_merge_spreads_over_rows_not_into_a_blank_row(grid_a):
    rows = [HEADERS, a_row(1, 所属网格="乙网格"), [], a_row(3)]
    data = workbook([{"title": "名册", "rows": rows, "merge": ["D2:D3"]}])
    summary = _import(data, dry_run=True)
    assert summary.rows_total == 2 and summary.invalid == 0


def test_reimporting_a_grid_merged_over_its_rows_keeps_every_enterprise_in_its_grid(grid_a):
    rows = [HEADERS, *(a_row(n, 所属网格="乙网格") for n in (1, 2, 3))]
    assert _import(workbook([{"rows": rows}])).created == 3  # unmerged, as exported

    merged = workbook([{"rows": rows, "merge": ["D2:D4"]}])
    again = _import(merged)
    assert again.unchanged == 3 and again.updated == 0
    assert set(Enterprise.objects.values_list("grid__name", flat=True)) == {"乙网格"}


# --- Excel error values -----------------------------------------------------------------------

CODES = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"]


def _with_error(kind: str, code: str, column: str) -> tuple[bytes, str]:
    """A header and two rows, the second with ``code`` in ``column``, as: an error cell with a
    formula (hand-written XML), an error cell openpyxl writes, text in an xlsx (inline or
    shared, as Excel writes it), text in a CSV saved by Excel."""
    headers = [*HEADERS, "登记电话"]
    first = [*a_row(1), "021-65551234"]
    second = [*a_row(2), "021-65551235"]
    at = headers.index(column)
    if kind == "csv":
        second[at] = code
        return csv_bytes([headers, first, second]), "名册.csv"
    if kind == "formula":
        letters = "ABCDEFG"
        cells = [
            error(f"{letters[i]}3", code) if i == at else text(f"{letters[i]}3", v)
            for i, v in enumerate(second)
        ]
        rows = registry_xml([headers, first]) + row(3, cells)
        return with_sheet_xml(rows, dimension="A1:G3"), "名册.xlsx"
    second[at] = Err(code) if kind == "error cell" else code
    data = workbook([{"rows": [headers, first, second]}])
    if kind == "shared text":
        data = with_shared_strings(data, {f"{'ABCDEFG'[at]}3": code})
    return data, "名册.xlsx"


@pytest.mark.parametrize("kind", ["formula", "error cell", "text", "shared text", "csv"])
@pytest.mark.parametrize("code", CODES)
def test_an_excel_error_in_a_cell_makes_the_row_invalid_and_says_so(kind, code, grid_a):
    data, name = _with_error(kind, code, "登记电话")
    summary = _import(data, name, dry_run=True)
    assert summary.invalid == 1 and summary.created == 1
    ((number, column, message),) = _errors(summary)
    assert (number, column) == (3, "登记电话")
    assert f"此单元格是 Excel 错误值 {code}（公式出错）" in message


@pytest.mark.parametrize("column", ["统一社会信用代码", "企业名称", "所属网格", "联络员手机"])
def test_an_excel_error_in_any_column_is_an_error_not_an_empty_cell(column, grid_a):
    data, name = _with_error("formula", "#N/A", column)
    summary = _import(data, name, dry_run=True)
    assert [(n, c) for n, c, m in _errors(summary) if EXCEL_ERROR in m] == [(3, column)]
    assert summary.invalid == 1


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_an_excel_error_never_clears_a_stored_value(skip_invalid, grid_a):
    enterprise = EnterpriseFactory(
        uscc=valid_uscc(2),
        name="测试企业2有限公司",
        registered_address="上海市浦东新区测试路2号",
        grid=grid_a,
        registered_phone="021-65551234",
    )
    LiaisonFactory(enterprise=enterprise, name="联络员2", mobile="13900000002")
    data, name = _with_error("formula", "#N/A", "登记电话")
    summary = _import(data, name, skip_invalid=skip_invalid)
    assert summary.written is skip_invalid and summary.invalid == 1
    enterprise.refresh_from_db()
    assert enterprise.registered_phone == "021-65551234"


def test_the_command_line_reports_an_excel_error_at_its_row_and_column(tmp_path, grid_a):
    data, _name = _with_error("formula", "#N/A", "登记电话")
    code, _out, err, report = _cli(tmp_path, data, "名册.xlsx", "--dry-run")
    assert code == 1 and report["invalid"] == 1
    assert report["errors"][0]["row"] == 3 and report["errors"][0]["column"] == "登记电话"
    assert "row 3, 登记电话: 此单元格是 Excel 错误值 #N/A" in err


def test_error_cells_are_found_wherever_the_xml_is_cut_into_pieces(monkeypatch, grid_a):
    """Long formulas, many error cells, cells without a formula, single-quoted attributes:
    every one is found when the part is read in small pieces."""
    monkeypatch.setattr(reading, "_CHUNK", 97)
    monkeypatch.setattr(reading, "_OVERLAP", 40)
    headers = [*HEADERS, "登记电话"]
    body = registry_xml([headers])
    expected = {}
    for n in range(2, 40):
        values = [*a_row(n), "021-65551234"]
        cells = [text(f"{'ABCDEF'[i]}{n}", v) for i, v in enumerate(values[:6])]
        if n % 3 == 0:
            formula = "IFERROR(VLOOKUP(A2,电话表!A:B,2,FALSE)," * 5 + '""' + ")" * 5
            cells.append(error(f"G{n}", "#REF!", formula))
            expected[n] = "#REF!"
        elif n % 5 == 0:
            cells.append(f"<c r='G{n}' t='e'><v>#DIV/0!</v></c>")
            expected[n] = "#DIV/0!"
        else:
            cells.append(text(f"G{n}", values[6]))
        body += row(n, cells)
    summary = _import(with_sheet_xml(body, dimension="A1:G39"), dry_run=True)
    found = {n: m for n, c, m in _errors(summary) if c == "登记电话"}
    assert set(found) == set(expected)
    assert all(expected[n] in found[n] for n in expected)


def test_an_error_cell_without_a_reference_is_found_by_the_other_reader(grid_a):
    headers = [*HEADERS, "登记电话"]
    cells = [text(f"{'ABCDEF'[i]}2", v) for i, v in enumerate(a_row(1))]
    body = registry_xml([headers]) + row(2, [*cells, error(None, "#N/A")])
    summary = _import(with_sheet_xml(body, dimension="A1:G2"), dry_run=True)
    assert [(n, c) for n, c, m in _errors(summary) if EXCEL_ERROR in m] == [(2, "登记电话")]


def test_the_preview_and_the_invalid_rows_download_show_the_excel_error(client, admin_user, grid_a):
    data, _name = _with_error("formula", "#N/A", "登记电话")
    run, page = _preview(client, admin_user, data)
    assert "<td>3</td><td>登记电话</td><td>此单元格是 Excel 错误值 #N/A（公式出错）" in page
    response = client.get(reverse("registry:import_invalid_rows", args=[run.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    _header, *rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 1 and rows[0][0] == 3 and EXCEL_ERROR in rows[0][-1]


# --- row numbers as Excel shows them ----------------------------------------------------------


def _offset_table(first_row: int, first_column: int) -> list[list]:
    """Title, header, a valid row, a bad mobile, a blank row, a missing name, and the first
    row's credit code again: as the rows of a table starting at (first_row, first_column)."""
    return [
        ["某某园区企业联络员名册（2026年）"],
        HEADERS,
        a_row(1),
        a_row(2, 联络员手机="12345678901"),
        [],
        a_row(3, 企业名称=""),
        a_row(4, 统一社会信用代码=valid_uscc(1)),
    ]


def _offset_expected(top: int) -> list[tuple[int, str]]:
    # title at top, header at top + 1, rows from top + 2, blank at top + 4
    return sorted(
        [
            (top + 2, "统一社会信用代码"),
            (top + 3, "联络员手机"),
            (top + 5, "企业名称"),
            (top + 6, "统一社会信用代码"),
        ]
    )


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
@pytest.mark.parametrize("at", ["A1", "B3", "D7", "A4", "C1"])
def test_row_numbers_are_the_ones_excel_shows_wherever_the_table_starts(reader, at, grid_a):
    data = workbook([{"rows": _offset_table(0, 0), "at": at}])
    if reader == "openpyxl":
        data = with_sheet_xml(base=data, dimension="1:40")  # calamine refuses: the other reader
    top = int(at[1:])
    sheet = read_sheet(io.BytesIO(data), filename="名册.xlsx")
    assert sheet.header_row == top + 1
    summary = _import(data, dry_run=True)
    assert sorted((n, c) for n, c, _m in _errors(summary)) == _offset_expected(top)
    duplicates = {n: m for n, c, m in _errors(summary) if "重复" in m or "Duplicate" in m}
    assert str(top + 6) in duplicates[top + 2] and str(top + 2) in duplicates[top + 6]


def test_every_row_number_a_user_sees_is_excels(client, admin_user, tmp_path, grid_a):
    data = workbook([{"rows": _offset_table(0, 0), "at": "C5"}])  # title in row 5, header 6
    expected = _offset_expected(5)

    code, out, err, report = _cli(tmp_path, data, "名册.xlsx", "--dry-run")
    assert code == 1 and report["header_row"] == 6 and "表头在第 6 行" in out
    assert sorted((e["row"], e["column"]) for e in report["errors"]) == expected
    assert "row 8, 联络员手机" in err

    run, page = _preview(client, admin_user, data)
    assert "表头在第 6 行" in page
    for number, column in expected:
        assert f"<td>{number}</td><td>{column}</td>" in page
    response = client.get(reverse("registry:import_invalid_rows", args=[run.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    _header, *rows = book.get_sheet_by_index(0).to_python()
    assert sorted(int(r[0]) for r in rows) == sorted({n for n, _c in expected})


# --- a malformed <dimension> ------------------------------------------------------------------


@pytest.mark.parametrize("dimension", ["1:5", "A:F", None, "A1", "A1:B2", "", "garbage"])
def test_a_malformed_dimension_does_not_make_a_readable_workbook_damaged(dimension, grid_a):
    rows = [["名册"], *registry(3)]
    data = with_sheet_xml(base=workbook([{"rows": rows, "merge": []}]), dimension=dimension)
    summary = _import(data, dry_run=True)
    assert summary.created == 3 and summary.invalid == 0 and summary.header_row == 2


def test_with_a_malformed_dimension_merges_and_errors_are_still_read(grid_a):
    headers = [*HEADERS, "登记电话"]
    rows = [headers, *([*a_row(n, 所属网格="乙网格"), "021-65551234"] for n in (1, 2, 3))]
    rows[3][6] = Err("#N/A")
    base = workbook([{"rows": rows, "merge": ["D2:D4"]}])
    summary = _import(with_sheet_xml(base=base, dimension="1:4"), dry_run=True)
    assert summary.created == 2 and summary.invalid == 1
    assert [(n, c) for n, c, m in _errors(summary) if EXCEL_ERROR in m] == [(4, "登记电话")]
    assert summary.new_grids == ["乙网格"]


def test_a_workbook_no_reader_can_open_is_damaged(tmp_path):
    data = with_sheet_xml(
        base=workbook([{"rows": registry(2)}]),
        dimension="1:5",
        edit=lambda xml: xml.replace("</sheetData>", "<row><c>", 1),
    )
    code, _out, err, _report = _cli(tmp_path, data)
    assert code == 2 and "工作簿已损坏" in err


# --- characters a reader would drop -----------------------------------------------------------


def _padding_rows(count: int) -> list[list]:
    return [a_row(n, 注册地址="上海市浦东新区" + "很长的地址" * 20) for n in range(10, 10 + count)]


@pytest.mark.parametrize("padding", [300, 0])
def test_a_nul_in_a_csv_is_reported_at_its_row_before_or_after_the_first_64_kb(
    tmp_path, padding, grid_a
):
    rows = [HEADERS, *_padding_rows(padding)]
    rows.append(a_row(1, 企业名称="测试\x00企业有限公司"))
    data = csv_bytes(rows)
    assert (data.index(b"\x00") > 65536) is (padding > 0)
    code, _out, _err, report = _cli(tmp_path, data, "名册.csv")
    assert code == 1 and report["invalid"] == 1 and not Enterprise.objects.exists()
    ((error_,),) = [report["errors"]]
    assert (error_["row"], error_["column"]) == (padding + 2, "企业名称")
    assert "此单元格含有无法保存的控制字符（U+0000）" in error_["message"]


@pytest.mark.parametrize("where", ["inline", "shared"])
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b"])
def test_a_control_character_in_a_workbook_is_reported_at_its_row(where, character, grid_a):
    name = "特别的企业有限公司"
    rows = [HEADERS, *_padding_rows(300), a_row(1, 企业名称=name)]
    if where == "shared":
        # openpyxl refuses to write the character (and writes no shared strings).
        data = with_shared_strings(
            workbook([{"rows": rows}]), {"B302": f"特别的{character}企业有限公司"}
        )
    else:
        body = registry_xml(rows).replace(name, f"特别的{character}企业有限公司")
        data = with_sheet_xml(body, dimension="A1:F302")
    summary = _import(data, dry_run=True)
    assert summary.invalid == 1 and summary.created == 300
    ((number, column, message),) = _errors(summary)
    assert (number, column) == (302, "企业名称") and CONTROL in message
    assert f"U+{ord(character):04X}" in message


def test_the_invalid_rows_download_shows_a_control_character_instead_of_failing(
    client, admin_user, grid_a
):
    data = csv_bytes([HEADERS, a_row(1), a_row(2, 企业名称="测试\x00企业")])
    run, page = _preview(client, admin_user, data, "名册.csv")
    assert "<td>3</td><td>企业名称</td><td>此单元格含有无法保存的控制字符" in page
    response = client.get(reverse("registry:import_invalid_rows", args=[run.pk]))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    _header, *rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][2] == "测试\ufffd企业"


def test_a_dtd_anywhere_in_a_part_is_refused_not_only_in_its_first_64_kb():
    rows = [HEADERS, *_padding_rows(400)]
    data = with_sheet_xml(
        base=workbook([{"rows": rows}]),
        edit=lambda xml: xml.replace(
            "</worksheet>", '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]></worksheet>'
        ),
    )
    with pytest.raises(UnreadableFile) as refused:
        read_sheet(io.BytesIO(data), filename="名册.xlsx")
    assert "DTD" in str(refused.value)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("padding", [0, 300])
def test_bytes_that_are_not_utf_8_in_a_utf_8_csv_are_reported_at_their_row(bom, padding, grid_a):
    """Not decoded as GBK (garbling every Chinese value) nor dropped: the row is invalid."""
    rows = [HEADERS, *_padding_rows(padding), a_row(1, 企业名称="测试BROKEN企业")]
    data = bom + csv_bytes(rows).replace(b"BROKEN", b"\xff\xfe")
    summary = _import(data, "名册.csv", dry_run=True)
    assert summary.created == padding and summary.invalid == 1
    ((number, column, message),) = _errors(summary)
    assert (number, column) == (padding + 2, "企业名称")
    assert "此单元格含有按文件编码无法识别的字节" in message


def test_a_gbk_csv_is_still_read_as_gbk(grid_a):
    rows = [HEADERS, a_row(1, 企业名称="上海甲乙科技有限公司")]
    summary = _import(csv_bytes(rows, "gbk"), "名册.csv", dry_run=True)
    assert summary.created == 1 and summary.invalid == 0
