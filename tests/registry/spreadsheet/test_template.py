"""The files that go back out: the blank template and the export keep the columns of digits as
Text (so a row added in Excel keeps them), the template explains itself on a 填表说明 sheet,
shows an example row the import skips, and offers drop-down lists. Each file is opened with
openpyxl, as Excel's own format, and imported again."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from registry import normalize
from registry.models import Enterprise, GridArea, Liaison
from registry.spreadsheet.columns import COLUMNS, parse_row
from registry.spreadsheet.exporting import registry_export
from registry.spreadsheet.importing import registry_import
from registry.spreadsheet.template import EXAMPLE, LAST_ROW, example_row, template_workbook
from tests.factories import (
    EmergencyContactFactory,
    EnterpriseFactory,
    GridAreaFactory,
    LiaisonFactory,
    valid_id_number,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

DIGIT_HEADERS = {
    "统一社会信用代码",
    "登记电话",
    "年报联系电话",
    "联络员手机",
    "联络员固定电话",
    "联络员微信",
    "联络员身份证号",
    "紧急联系人电话",
}


def _template(grids=("甲网格", "乙网格")) -> bytes:
    buffer = io.BytesIO()
    with translation.override("zh-hans"):
        template_workbook(out=buffer, grids=list(grids))
    return buffer.getvalue()


def _letter(sheet, header: str) -> str:
    return next(cell.column_letter for cell in sheet[1] if cell.value == header)


def _validations(sheet) -> dict[str, object]:
    """Header -> the data validation over its column."""
    by_letter = {}
    for rule in sheet.data_validations.dataValidation:
        for cells in rule.sqref.ranges:
            by_letter[cells.coord.split(":")[0].rstrip("0123456789")] = (rule, cells.coord)
    return {cell.value: by_letter.get(cell.column_letter) for cell in sheet[1]}


# --- Text formats -----------------------------------------------------------------------------


def test_the_template_formats_every_column_of_digits_as_text_down_to_the_last_row():
    sheet = load_workbook(io.BytesIO(_template()))["名册"]
    formats = {cell.value: sheet.column_dimensions[cell.column_letter] for cell in sheet[1]}
    assert {h for h, dim in formats.items() if dim.number_format == "@"} == DIGIT_HEADERS
    # The column's own style (<col min=n max=n style=...>): what a cell typed into later, in
    # any row, takes in Excel and WPS alike.
    for cell in sheet[1]:
        if cell.value in DIGIT_HEADERS:
            dimension = formats[cell.value]
            assert dimension.min == dimension.max == cell.column
    # The example row's cells too.
    for cell in sheet[2]:
        assert (cell.number_format == "@") == (sheet.cell(1, cell.column).value in DIGIT_HEADERS)


def test_the_text_format_is_excels_own_text_number_format_in_the_file():
    """Checked in the XML too: the column's style is a cell format with numFmtId 49 (@)."""
    archive = zipfile.ZipFile(io.BytesIO(_template()))
    sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    styles = archive.read("xl/styles.xml").decode()
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xfs = re.findall(r"<xf [^>]*>", cell_xfs)
    uscc_col = re.search(r'<col [^>]*min="1"[^>]*>', sheet_xml).group(0)
    style = int(re.search(r'style="(\d+)"', uscc_col).group(1))
    assert 'numFmtId="49"' in xfs[style]


def test_the_export_formats_the_columns_of_digits_as_text_cells_and_columns(grid_a, tmp_path):
    enterprise = EnterpriseFactory(grid=grid_a, registered_phone="021-65551234")
    LiaisonFactory(enterprise=enterprise, mobile="13812345678", id_number=valid_id_number(4))
    EmergencyContactFactory(enterprise=enterprise, phone="13600002222")
    out = tmp_path / "out.xlsx"
    registry_export(out=str(out), fmt="xlsx")

    sheet = load_workbook(out)["名册"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, sheet[2], strict=True))
    for header in DIGIT_HEADERS:
        assert sheet.column_dimensions[_letter(sheet, header)].number_format == "@", header
        if row[header].value:
            assert row[header].number_format == "@", header
            assert isinstance(row[header].value, str), header
    assert row["联络员手机"].value == "13812345678"
    assert row["联络员身份证号"].value == valid_id_number(4)
    assert row["企业名称"].number_format == "General"


def test_a_row_added_to_the_export_in_excel_keeps_its_digits_and_the_rest_changes_nothing(
    grid_a, tmp_path
):
    enterprise = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=enterprise, mobile="13812345678", id_number=valid_id_number(5))
    out = tmp_path / "out.xlsx"
    registry_export(out=str(out), fmt="xlsx")

    # What Excel does when someone types into the next row: each cell takes its column's
    # format, so in a Text column the typed digits are stored as text.
    workbook = load_workbook(out)
    sheet = workbook["名册"]
    typed = {
        "统一社会信用代码": valid_uscc(77),
        "企业名称": "新增企业有限公司",
        "注册地址": "上海市浦东新区新增路1号",
        "联络员姓名": "赵六",
        "联络员手机": "13987654321",
        "联络员身份证号": valid_id_number(6),
    }
    for cell in sheet[1]:
        if cell.value in typed:
            new = sheet.cell(3, cell.column)
            new.number_format = sheet.column_dimensions[cell.column_letter].number_format
            new.value = typed[cell.value]
            assert new.number_format == ("@" if cell.value in DIGIT_HEADERS else "General")
    workbook.save(out)

    summary = registry_import(source=str(out), filename=out.name)
    assert (summary.created, summary.unchanged, summary.updated, summary.invalid) == (1, 1, 0, 0)
    added = Liaison.objects.get(enterprise__uscc=valid_uscc(77))
    assert (added.mobile, added.id_number) == ("13987654321", valid_id_number(6))


def test_the_invalid_rows_download_keeps_the_columns_of_digits_as_text(grid_a, tmp_path):
    from registry.spreadsheet.exporting import invalid_rows_workbook
    from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

    out = io.BytesIO()
    data = xlsx_bytes([HEADERS, a_row(1, 联络员手机="12345")])
    invalid_rows_workbook(source=io.BytesIO(data), filename="名册.xlsx", out=out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.column_dimensions[_letter(sheet, "联络员手机")].number_format == "@"
    assert sheet.column_dimensions[_letter(sheet, "统一社会信用代码")].number_format == "@"
    assert sheet.column_dimensions[_letter(sheet, "企业名称")].number_format != "@"


# --- sheets, example row, drop-downs ------------------------------------------------------------


def test_the_registry_is_the_first_sheet_and_the_instructions_the_second():
    workbook = load_workbook(io.BytesIO(_template()))
    assert workbook.sheetnames == ["名册", "填表说明"]
    assert workbook.active.title == "名册"
    assert all(sheet.sheet_state == "visible" for sheet in workbook)


def test_the_instructions_name_every_column_with_its_rule_from_the_columns_themselves():
    sheet = load_workbook(io.BytesIO(_template()))["填表说明"]
    rows = [[v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "填表说明"
    text = "\n".join(str(v) for row in rows for v in row if v)
    assert "示例" in text and "文本格式" in text and "1.38123E+10" in text
    table = {row[0]: row for row in rows if row[0] in {c.header for c in COLUMNS}}
    assert list(table) == [c.header for c in COLUMNS]
    for column in COLUMNS:
        _header, alias, required, fmt, rule, example = table[column.header]
        assert alias == column.alias
        assert example == example_row(["甲网格"])[column.alias]
        assert required == ("必填" if column.required else "选填")
        assert fmt == ("文本" if column.header in DIGIT_HEADERS else "常规")
        assert rule and rule.isascii() is False  # a Chinese sentence, for every column
    assert "大型、中型、小型、微型" in table["企业规模"][4]
    assert "是" in table["重点税源"][4] and "Y/N" in table["重点税源"][4]
    assert "最多 200 个字符" in table["企业名称"][4]
    assert "确认" in table["所属网格"][4]  # a new grid is created only when confirmed
    assert table["所属网格"][5] == "甲网格"


def test_the_example_row_is_right_but_for_its_marked_code():
    """Every example value passes its column's own check, so the row shows right values;
    only the credit code carries the 示例 mark that makes the import skip it."""
    assert EXAMPLE["uscc"].startswith("示例")
    values = dict(EXAMPLE, uscc=normalize.EXAMPLE_USCC, grid="甲网格")
    parsed = parse_row(row=2, values=values, headers={c.alias: c.header for c in COLUMNS})
    assert parsed.is_valid, parsed.errors
    assert set(EXAMPLE) == {c.alias for c in COLUMNS}


def test_drop_down_lists_for_size_yes_no_and_the_registrys_grids():
    sheet = load_workbook(io.BytesIO(_template()))["名册"]
    rules = _validations(sheet)
    size, cells = rules["企业规模"]
    assert (size.type, size.formula1) == ("list", '"大型,中型,小型,微型"')
    assert cells.endswith(str(LAST_ROW)) and cells.split(":")[0].endswith("2")
    for header in ("重点税源", "前置审批行业"):
        assert rules[header][0].formula1 == '"是,否"'
    grid, _cells = rules["所属网格"]
    assert grid.formula1 == '"甲网格,乙网格"'
    # A grid not in the list may still be meant (the preview then asks): a warning, not a stop.
    assert (grid.errorStyle, size.errorStyle) == ("warning", "stop")
    assert rules["企业名称"] is None


def test_a_long_grid_list_goes_to_a_hidden_sheet_the_drop_down_points_to():
    names = [f"第{n}网格（园区东片区）" for n in range(40)] + ["=看似公式的网格"]
    workbook = load_workbook(io.BytesIO(_template(names)))
    assert workbook.sheetnames == ["名册", "填表说明", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    assert [c.value for c in workbook["选项"]["A"]] == names
    assert workbook["选项"]["A41"].data_type == "s"  # a name, not a formula
    rule, _cells = _validations(workbook["名册"])["所属网格"]
    assert rule.formula1 == "'选项'!$A$1:$A$41"


def test_the_template_without_grids_has_no_grid_list():
    sheet = load_workbook(io.BytesIO(_template(())))["名册"]
    assert _validations(sheet)["所属网格"] is None
    assert sheet["E2"].value in (None, "")


# --- importing the template ---------------------------------------------------------------------


def _filled_template(*rows: dict) -> bytes:
    workbook = load_workbook(io.BytesIO(_template()))
    sheet = workbook["名册"]
    headers = [cell.value for cell in sheet[1]]
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_blank_template_imports_nothing_and_says_the_example_row_was_ignored(grid_a):
    summary = registry_import(source=io.BytesIO(_template()), filename="模板.xlsx")
    assert (summary.rows_total, summary.invalid, summary.errors) == (0, 0, [])
    assert summary.example_rows == [2]
    assert not Enterprise.objects.exists()


def test_a_filled_in_template_imports_its_rows_and_round_trips_through_the_export(grid_a, tmp_path):
    row = {
        "统一社会信用代码": valid_uscc(3),
        "企业名称": "填表企业有限公司",
        "注册地址": "上海市浦东新区填表路3号",
        "所属网格": "甲网格",
        "企业规模": "中型",
        "重点税源": "是",
        "联络员姓名": "孙七",
        "联络员手机": "13811112222",
        "联络员身份证号": valid_id_number(9),
        "登记电话": "021-65551234",
    }
    summary = registry_import(source=io.BytesIO(_filled_template(row)), filename="模板.xlsx")
    assert (summary.created, summary.invalid, summary.example_rows) == (1, 0, [2])
    enterprise = Enterprise.objects.get()
    assert (enterprise.size, enterprise.key_taxpayer, enterprise.grid) == ("medium", True, grid_a)

    out = tmp_path / "again.xlsx"
    registry_export(out=str(out), fmt="xlsx")
    again = registry_import(source=str(out), filename=out.name)
    assert (again.unchanged, again.updated, again.created, again.invalid) == (1, 0, 0, 0)


def test_the_example_row_is_recognised_by_its_mark_only(grid_a):
    """A row is the example because its code cell says 示例, not because it looks like the
    example: the same values with a real code are imported."""
    real = dict(zip([c.header for c in COLUMNS], [EXAMPLE[c.alias] for c in COLUMNS], strict=True))
    real.update({"统一社会信用代码": valid_uscc(8), "所属网格": "甲网格"})
    summary = registry_import(source=io.BytesIO(_filled_template(real)), filename="模板.xlsx")
    assert (summary.created, summary.example_rows) == (1, [2])


def test_the_template_page_has_the_registrys_grids_and_chinese_instructions(client, admin_user):
    GridAreaFactory(code="N1", name="北区网格")
    client.force_login(admin_user)
    response = client.get(reverse("registry:import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:2] == ["名册", "填表说明"]
    rule, _cells = _validations(workbook["名册"])["所属网格"]
    assert rule.formula1 == f'"{",".join(GridArea.objects.values_list("name", flat=True))}"'
    assert "北区网格" in rule.formula1
    assert workbook["填表说明"]["A1"].value == "填表说明"


def test_the_preview_says_the_example_row_was_ignored(client, admin_user, grid_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import ImportRun
    from registry.spreadsheet import runs

    row = {
        "统一社会信用代码": valid_uscc(3),
        "企业名称": "填表企业有限公司",
        "注册地址": "上海市浦东新区填表路3号",
        "联络员姓名": "孙七",
        "联络员手机": "13811112222",
    }
    client.force_login(admin_user)
    client.post(
        reverse("registry:imports"),
        {"file": SimpleUploadedFile("模板.xlsx", _filled_template(row)), "mode": "all_or_nothing"},
    )
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    assert 'data-testid="created">1<' in page
    assert "模板的示例行（统一社会信用代码以“示例”开头）已忽略：第 2 行" in page
