"""The blank template (名册模板) as admins fill it in Excel or WPS:

- sheet 名册: the headers (required ones in bold), then one example row marked 示例 in its
  credit code (the import skips it: columns.is_example_row), then room to type. The columns of
  digits (codes, phones, ID number: Column.keeps_digits) are formatted as Text over the whole
  column, so a number typed into a new row keeps its digits; drop-down lists (data validation)
  for 企业规模, the yes/no columns and 所属网格 (the registry's grid areas: an inline list when
  short, else a hidden sheet 选项 the list points to);
- sheet 填表说明: each column, required or not, its format and what it accepts, generated from
  columns.COLUMNS and normalize's accepted values and examples, so it cannot drift from what
  the import checks.

名册 is the first sheet: the import reads the first visible sheet with the registry header,
and 填表说明 has no header row (nor does the hidden 选项).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils import get_column_letter, quote_sheetname

from registry import annual_reports, clock, normalize
from registry.spreadsheet.columns import COLUMNS, EXAMPLE_MARK, Column

SHEET = "名册"
INSTRUCTIONS_SHEET = "填表说明"
CHOICES_SHEET = "选项"
LAST_ROW = 1_048_576  # Excel's last row: the formats and drop-downs cover the whole column
TEXT_FORMAT = "@"
_LISTED_KINDS = {"size", "yes_no", "filed", "grid"}  # the columns with a drop-down list
INLINE_LIST_LIMIT = 255  # Excel's limit on a list typed into the validation itself

YES_NO_CHOICES = ("是", "否")
SIZE_CHOICES = tuple(normalize.SIZE_LABELS_ZH.values())

# The example row (sheet 名册, row 2). Invented values; the identifiers are normalize's own
# examples (valid check characters; the ID number is the sample of GB 11643 itself). Every
# value but the marked credit code passes its column's check (tests/registry/spreadsheet/
# test_template.py), so the row shows what a right value looks like.
EXAMPLE = {
    "uscc": f"{EXAMPLE_MARK}：{normalize.EXAMPLE_USCC}",
    "name": "示例科技有限公司",
    "registered_address": "上海市浦东新区示例路1号",
    "operating_address": "上海市浦东新区示例路1号2楼",
    "grid": "",  # the registry's first grid area, if it has one
    "industry": "软件和信息技术服务业",
    "size": "小型",
    "key_taxpayer": "否",
    "pre_approval": "否",
    "registered_phone": normalize.EXAMPLE_LANDLINE,
    "annual_report_phone": normalize.EXAMPLE_LANDLINE,
    "legal_representative": "张三",
    "executives": "董事：张三、赵六；监事：钱七；高管：孙八",
    "business_scope": "软件开发；信息技术咨询服务",
    "annual_report_year": "",  # the year due today (example_row)
    "annual_report_filed": "是",
    "liaison_name": "李四",
    "liaison_position": "办公室主任",
    "liaison_mobile": normalize.EXAMPLE_MOBILE,
    "liaison_phone": normalize.EXAMPLE_EXTENSION,
    "liaison_email": normalize.EXAMPLE_EMAIL,
    "liaison_wechat": "lisi_2026",
    "liaison_id_number": normalize.EXAMPLE_ID_NUMBER,
    "emergency_contact_name": "王五",
    "emergency_contact_relation": "同事",
    "emergency_contact_phone": normalize.EXAMPLE_MOBILE,
}


def describe(column: Column) -> str:
    """What the column accepts, in the active language (the 填表说明 sheet)."""
    kind = column.kind
    if kind == "uscc":
        return _(
            "18 characters: 8 digits, then 10 digits or capital letters (no I, O, S, V or Z), "
            "the last one a check character. The key of the row: an enterprise already in the "
            "registry with this code is updated."
        )
    if kind == "mobile":
        return _(
            "An 11-digit mainland mobile number in a range an operator uses; +86, spaces and "
            "hyphens are accepted and removed."
        )
    if kind == "phone":
        return _(
            "A landline with its area code (an extension after a hyphen or 转), a 400/800 "
            "number, or a mobile number."
        )
    if kind == "email":
        return _("An e-mail address.")
    if kind == "id_number":
        return _(
            "An 18-character resident ID number (17 digits, then a digit or X). Sensitive: "
            "shown masked to those without the permission."
        )
    if kind == "yes_no":
        return _(
            "Choose 是 or 否 from the list; empty counts as 否. Also accepted: %(accepted)s."
        ) % {"accepted": normalize.YES_NO_ACCEPTED}
    if kind == "report_year":
        return _(
            "The year of the annual report that %(filed)s is about, as four digits, e.g. "
            "%(year)s. Empty: the year before the import's (the report due by 30 June)."
        ) % {
            "filed": "年报已报送",
            "year": annual_reports.due_year(clock.today()),
        }
    if kind == "filed":
        return _(
            "Whether the enterprise filed the annual report of that year (年报年度) with the "
            "registration authority: 是 or 否 from the list. Empty changes nothing: the "
            "portal keeps what it knows. Also accepted: %(accepted)s."
        ) % {"accepted": normalize.YES_NO_ACCEPTED}
    if kind == "size":
        return _(
            "Choose from the list: %(choices)s (large, medium, small, micro also accepted)."
        ) % {"choices": "、".join(SIZE_CHOICES)}
    if kind == "executives":
        return _(
            "Directors, supervisors and senior managers as role: names, entries separated by "
            "；, names by 、, e.g. %(example)s. Roles: 董事, 监事, 高管 (董事长, 执行董事, "
            "监事会主席, 总经理, 财务负责人 and the like are accepted)."
        ) % {"example": normalize.EXECUTIVES_ACCEPTED}
    if kind == "grid":
        return _(
            "Choose a grid area from the list (its name or its code). A grid area not in the "
            "registry yet is listed in the import's preview and created only if you confirm."
        )
    if column.max_length:
        return _("Text, at most %(max)s characters.") % {"max": column.max_length}
    return _("Text.")


def example_row(grids: list[str]) -> dict[str, str]:
    return dict(
        EXAMPLE,
        grid=grids[0] if grids else "",
        annual_report_year=str(annual_reports.due_year(clock.today())),
    )


def instructions(grids: list[str]) -> list[list[str]]:
    """The 填表说明 sheet's rows: general notes, then one row per column."""
    example = example_row(grids)
    notes = [
        _(
            "Fill in one enterprise per row on the sheet %(sheet)s, below its header row; keep "
            "the header row. The order of the columns is free; columns not listed below are "
            "ignored."
        )
        % {"sheet": SHEET},
        _(
            "Row 2 of %(sheet)s is an example: its credit code starts with %(mark)s, and the "
            "import skips it. You may leave it or delete it."
        )
        % {"sheet": SHEET, "mark": EXAMPLE_MARK},
        _(
            "The columns of codes, phone numbers and ID numbers are formatted as Text, so that "
            "Excel keeps every digit. When you paste into them from another file, paste values "
            "only, or the Text format may be lost; a number shown like 1.38123E+10 has lost "
            "its digits and is refused."
        ),
        _("These columns have drop-down lists: %(columns)s.")
        % {"columns": "、".join(c.header for c in COLUMNS if c.kind in _LISTED_KINDS)},
        _(
            "A row whose liaison is another person ends the current liaison and starts the new "
            "one; the history keeps both."
        ),
    ]
    rows: list[list[str]] = [[_("How to fill in the registry")], *([note] for note in notes), []]
    rows.append(
        [
            _("Header"),
            _("English alias"),
            _("Required"),
            _("Cell format"),
            _("What to enter"),
            _("Example"),
        ]
    )
    for column in COLUMNS:
        rows.append(
            [
                column.header,
                column.alias,
                pgettext("template", "required")
                if column.required
                else pgettext("template", "optional"),
                pgettext("cell format", "Text")
                if column.keeps_digits
                else pgettext("cell format", "General"),
                describe(column),
                example.get(column.alias, ""),
            ]
        )
    return rows


def _list_formula(values: list[str]) -> str | None:
    """An inline list ("是,否") when Excel takes it: short, without commas or quotes."""
    if any("," in v or '"' in v for v in values):
        return None
    formula = '"' + ",".join(values) + '"'
    return formula if len(formula) <= INLINE_LIST_LIMIT else None


def template_workbook(*, out, grids: list[str] | None = None) -> None:
    """The blank template; ``grids``: the registry's grid areas' names, for 所属网格's list."""
    from openpyxl import Workbook

    grids = list(grids or [])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    _registry_sheet(sheet, grids)
    _drop_down_lists(workbook, sheet, grids)
    _instructions_sheet(workbook.create_sheet(INSTRUCTIONS_SHEET, index=1), grids)
    workbook.active = 0
    workbook.save(out)


def _registry_sheet(sheet, grids: list[str]) -> None:
    """The header, the example row, the widths, and the Text format of the columns of digits."""
    from openpyxl.styles import Font

    sheet.append([c.header for c in COLUMNS])
    example = example_row(grids)
    sheet.append([example.get(c.alias, "") for c in COLUMNS])
    sheet.freeze_panes = "A2"
    example_font = Font(italic=True, color="808080")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index).font = Font(bold=column.required)
        sheet.cell(2, index).font = example_font
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(12, len(column.header) * 2 + 4, len(str(example[column.alias])) + 2)
        if column.keeps_digits:
            # The column's own format: what a cell typed into later takes.
            dimension.number_format = TEXT_FORMAT
            for row in (1, 2):
                sheet.cell(row, index).number_format = TEXT_FORMAT


def _drop_down_lists(workbook, sheet, grids: list[str]) -> None:
    """Data validation lists for 企业规模, the yes/no columns and 所属网格 (the registry's grid
    areas: inline when short, else from a hidden sheet)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def validation(alias: str, formula: str, *, strict: bool) -> None:
        index = next(i for i, c in enumerate(COLUMNS, start=1) if c.alias == alias)
        letter = get_column_letter(index)
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            # A grid not in the list may still be meant (the preview asks before creating
            # it): a warning lets it through; sizes and yes/no take the list's values only.
            errorStyle="stop" if strict else "warning",
            errorTitle=_("Not in the list"),
            error=_("Choose a value from the drop-down list."),
        )
        rule.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.add_data_validation(rule)

    for column in COLUMNS:
        if column.kind == "size":
            validation(column.alias, _list_formula(list(SIZE_CHOICES)), strict=True)
        elif column.kind in ("yes_no", "filed"):
            validation(column.alias, _list_formula(list(YES_NO_CHOICES)), strict=True)
    if grids:
        formula = _list_formula(grids)
        if formula is None:
            choices = workbook.create_sheet(CHOICES_SHEET)
            choices.sheet_state = "hidden"
            for row, name in enumerate(grids, start=1):
                cell = choices.cell(row, 1)
                cell.value = name
                cell.data_type = "s"  # a name starting with = stays a name, not a formula
            formula = f"{quote_sheetname(CHOICES_SHEET)}!$A$1:$A${len(grids)}"
        validation("grid", formula, strict=False)


def _instructions_sheet(notes, grids: list[str]) -> None:
    """The 填表说明 sheet (which the import skips: it has no registry header)."""
    from openpyxl.styles import Alignment, Font

    rows = instructions(grids)
    for row in rows:
        notes.append(row)
    notes["A1"].font = Font(bold=True, size=14)
    table_header = len(rows) - len(COLUMNS)  # the row naming the table's columns
    for cell in notes[table_header]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (18, 26, 8, 10, 70, 26), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=table_header + 1):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
        row[5].number_format = TEXT_FORMAT
