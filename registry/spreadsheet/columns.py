"""The columns of the registry spreadsheet (shared/design/registry-template.md) and how one
row's values become clean records. Pure: no database.

A column is found by its Chinese header or its English alias, case and surrounding spaces
ignored; the order of columns is free and unknown columns are ignored (and reported).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registry import annual_reports, clock, normalize
from registry.spreadsheet.cells import ExcelError, check_cell


def _text(max_length: int, *, required: bool = False) -> Callable[[object], str]:
    def clean(value: object) -> str:
        text = normalize.clean_name(value)
        if required and not text:
            raise ValidationError(_("This value is required."), code="required")
        if len(text) > max_length:
            raise ValidationError(
                _("Enter at most %(max)s characters (this one has %(length)s)."),
                code="too_long",
                params={"max": max_length, "length": len(text)},
            )
        return text

    clean.max_length = max_length  # for the template's instructions
    return clean


def report_year(value: object) -> int | None:
    """The annual report's year (年报年度): a year whose report may be recorded today
    (annual_reports.report_years); empty -> None (the year due, planning.report_of)."""
    year = normalize.optional_year(value)
    years = annual_reports.report_years(clock.today())
    if year is not None and year not in years:
        raise ValidationError(
            _("Enter a report year between %(first)s and %(last)s."),
            code="year_range",
            params={"first": years[0], "last": years[-1]},
        )
    return year


@dataclass(frozen=True)
class Column:
    header: str  # as the park's spreadsheets write it
    alias: str  # the English alias, also the key of the parsed value
    record: str  # "enterprise" | "liaison" | "contact" | "grid" | "annual_report"
    field: str  # the model field it fills
    clean: Callable[[object], object]
    required: bool = False

    @property
    def kind(self) -> str:
        """What the column holds, for the template's instructions and its drop-down lists:
        one of KINDS' keys, found from the column's cleaning function."""
        if self.record == "grid":
            return "grid"
        return _KIND_OF_CLEAN.get(self.clean, "text")

    @property
    def keeps_digits(self) -> bool:
        """A column of digits that must be kept as typed (codes, phones, ID numbers): the
        export and the template format it as Text, so Excel does not turn a number typed
        into it into 1.38123E+10 or cut an 18-digit code to 15 significant digits."""
        return self.kind in _DIGIT_KINDS or self.alias in _DIGIT_ALIASES

    @property
    def max_length(self) -> int | None:
        return getattr(self.clean, "max_length", None)


COLUMNS: tuple[Column, ...] = (
    Column("统一社会信用代码", "uscc", "enterprise", "uscc", normalize.normalize_uscc, True),
    Column("企业名称", "name", "enterprise", "name", _text(200, required=True), True),
    Column(
        "注册地址",
        "registered_address",
        "enterprise",
        "registered_address",
        _text(300, required=True),
        True,
    ),
    Column("实际经营地址", "operating_address", "enterprise", "operating_address", _text(300)),
    Column("所属网格", "grid", "grid", "grid", _text(100)),
    Column("行业", "industry", "enterprise", "industry", _text(100)),
    Column("企业规模", "size", "enterprise", "size", normalize.normalize_size),
    Column("重点税源", "key_taxpayer", "enterprise", "key_taxpayer", normalize.parse_yes_no),
    Column("前置审批行业", "pre_approval", "enterprise", "pre_approval", normalize.parse_yes_no),
    Column(
        "登记电话", "registered_phone", "enterprise", "registered_phone", normalize.optional_phone
    ),
    Column(
        "年报联系电话",
        "annual_report_phone",
        "enterprise",
        "annual_report_phone",
        normalize.optional_phone,
    ),
    Column("法定代表人", "legal_representative", "enterprise", "legal_representative", _text(50)),
    Column("董监高", "executives", "enterprise", "executives", normalize.normalize_executives),
    Column("经营范围", "business_scope", "enterprise", "business_scope", _text(2000)),
    # The annual report of one year (企业信息公示暂行条例 art. 8), an AnnualReport row: whether
    # it was filed, and for which year (empty: the year due on the import's date, last year).
    # An empty 年报已报送 changes nothing: a park's file knows of the reports it was told of.
    Column("年报年度", "annual_report_year", "annual_report", "year", report_year),
    Column(
        "年报已报送", "annual_report_filed", "annual_report", "filed", normalize.optional_yes_no
    ),
    Column("联络员姓名", "liaison_name", "liaison", "name", _text(50, required=True), True),
    Column("联络员职务", "liaison_position", "liaison", "position", _text(50)),
    Column("联络员手机", "liaison_mobile", "liaison", "mobile", normalize.normalize_mobile, True),
    Column("联络员固定电话", "liaison_phone", "liaison", "landline", normalize.optional_phone),
    Column("联络员邮箱", "liaison_email", "liaison", "email", normalize.optional_email),
    Column("联络员微信", "liaison_wechat", "liaison", "wechat", _text(50)),
    Column(
        "联络员身份证号",
        "liaison_id_number",
        "liaison",
        "id_number",
        normalize.optional_id_number,
    ),
    Column("紧急联系人", "emergency_contact_name", "contact", "name", _text(50)),
    Column("紧急联系人关系", "emergency_contact_relation", "contact", "relation", _text(50)),
    Column(
        "紧急联系人电话", "emergency_contact_phone", "contact", "phone", normalize.optional_phone
    ),
)
# The kind of each column, by its cleaning function (Column.kind); a column not listed is free
# text. Adding a column with a new cleaning function means naming its kind here, which the
# template's instructions then describe (tests/registry/spreadsheet/test_template.py checks
# each has one).
_KIND_OF_CLEAN: dict[Callable, str] = {
    normalize.normalize_uscc: "uscc",
    normalize.normalize_mobile: "mobile",
    normalize.optional_phone: "phone",
    normalize.optional_email: "email",
    normalize.optional_id_number: "id_number",
    normalize.parse_yes_no: "yes_no",
    normalize.normalize_size: "size",
    normalize.normalize_executives: "executives",
    report_year: "report_year",
    normalize.optional_yes_no: "filed",
}
_DIGIT_KINDS = {"uscc", "mobile", "phone", "id_number"}
# A WeChat ID is often the mobile number it was registered with.
_DIGIT_ALIASES = {"liaison_wechat"}
BY_ALIAS = {column.alias: column for column in COLUMNS}
# The model fields the file fills, by record (the credit code is the enterprise's key).
ENTERPRISE_FIELDS = tuple(
    c.field for c in COLUMNS if c.record == "enterprise" and c.field != "uscc"
)
LIAISON_FIELDS = tuple(c.field for c in COLUMNS if c.record == "liaison")
CONTACT_FIELDS = tuple(c.field for c in COLUMNS if c.record == "contact")
REQUIRED = tuple(column for column in COLUMNS if column.required)
_LOOKUP = {key: column for column in COLUMNS for key in (column.header, column.alias)}


def header_key(value: object) -> str:
    """A header cell as it is matched: cleaned (full-width, NBSP), lower case, no spaces."""
    return normalize.clean_text(value).lower().replace(" ", "")


_LOOKUP = {header_key(key): column for key, column in _LOOKUP.items()}


def column_for(header: object) -> Column | None:
    return _LOOKUP.get(header_key(header)) if header_key(header) else None


# --- Formula neutralisation -----------------------------------------------------------------
# A cell that starts with = + - @ is run as a formula by Excel and LibreOffice (CSV injection).
# Export puts an apostrophe in front; import takes exactly one off again, so any value,
# including one that itself starts with apostrophes, survives the round trip unchanged.
_FORMULA = re.compile(r"'*[=+\-@]")


def neutralise(value: str) -> str:
    return f"'{value}" if _FORMULA.match(value) else value


def unneutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith("'") and _FORMULA.match(value):
        return value[1:]
    return value


# --- The template's example row -------------------------------------------------------------
# The blank template's second row shows a filled-in row. It is marked, not guessed: its credit
# code cell starts with EXAMPLE_MARK ("示例：91310000MA1FL8XQ37"), which no real code can, and
# the import skips such a row and says so (planning.parse_sheet, the preview).
EXAMPLE_MARK = "示例"


def is_example_row(values: dict[str, object]) -> bool:
    raw = values.get("uscc")
    return (
        isinstance(raw, str)
        and EXAMPLE_MARK in raw
        and normalize.clean_text(raw).startswith(EXAMPLE_MARK)
    )


# --- One row --------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # the Excel row number, as the user sees it
    column: str  # the header as written in the file
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class ParsedRow:
    row: int
    uscc: str
    enterprise: dict = field(default_factory=dict)
    liaison: dict = field(default_factory=dict)
    contact: dict = field(default_factory=dict)
    grid: str | None = None  # None: the file has no grid column
    annual_report: dict = field(default_factory=dict)  # "year", "filed": None when empty
    raw: dict | None = None  # the values as read, kept for the invalid-rows download
    errors: list[RowError] = field(default_factory=list)
    example: bool = False  # the template's example row (is_example_row): not parsed, skipped

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _message(error: ValidationError) -> str:
    messages = []
    for item in error.error_list:
        text = str(item.message)
        messages.append(text % item.params if item.params else text)
    return " ".join(messages)


_SUSPECT = "# \u3000"  # first characters of a text that may be an Excel error value


def clean_cell(column: Column, raw: object) -> object:
    """One cell's value as the column keeps it; raises ValidationError. An Excel error or a
    character that would be dropped is never read as a value."""
    # The type test first keeps the common cell (plain printable text) cheap.
    kind = type(raw)
    if kind is str:
        if raw:
            if raw[0] in _SUSPECT or not raw.isprintable() or "\ufffd" in raw:
                check_cell(raw)
            if raw[0] == "'":
                raw = unneutralise(raw)
        return column.clean(raw)
    if kind is ExcelError:
        check_cell(raw)
    return column.clean(unneutralise(raw))


MEMO_SIZE = 2_000  # values remembered per column (Cleaner)
_MEMO_TYPES = (str, int, bool)  # not floats: -0.0 == 0.0, yet they read differently


class Cleaner:
    """clean_cell, remembering per column the values already cleaned: a park's file repeats
    the same grid area, industry, size, yes/no and position thousands of times. Only values
    that cleaned without an error are remembered (a message is translated when it is shown),
    at most MEMO_SIZE per column, so a column of unique values (names, phones) costs a look-up
    only. One per pass over a file."""

    def __init__(self):
        self.memo: dict[str, dict] = defaultdict(dict)

    def __call__(self, column: Column, raw: object) -> object:
        kind = type(raw)
        if kind is str:
            key = raw  # a str is never equal to the tuples below
        elif kind in _MEMO_TYPES:
            key = (kind, raw)  # 1 == True, yet they read differently
        else:
            return clean_cell(column, raw)
        memo = self.memo[column.alias]
        try:
            return memo[key]
        except KeyError:
            pass
        value = clean_cell(column, raw)
        if len(memo) < MEMO_SIZE:
            memo[key] = value
        return value


# alias -> (column, the ParsedRow record it fills or None for the grid, the field)
_TARGET = {c.alias: (c, None if c.record == "grid" else c.record, c.field) for c in COLUMNS}


def credit_code(values: dict[str, object]) -> str | None:
    """The row's credit code as ``parse_row`` reads it ("" when the cell is not a valid code),
    or None for the template's example row, which is not a row of the registry."""
    if is_example_row(values):
        return None
    try:
        return clean_cell(BY_ALIAS["uscc"], values.get("uscc"))
    except Exception:  # reported by parse_row, with its message
        return ""


def parse_row(
    *,
    row: int,
    values: dict[str, object],
    headers: dict[str, str],
    uscc: str | None = None,
    clean: Callable[[Column, object], object] = clean_cell,
) -> ParsedRow:
    """One data row: ``values`` by alias (only the columns the file has), ``headers`` maps each
    alias to the header as written in the file (for the messages). ``uscc``: the row's valid
    credit code when ``credit_code`` already read it (else it is read here); ``clean``: how a
    cell is cleaned (clean_cell, or a Cleaner over a whole file). Never raises."""
    if is_example_row(values):
        return ParsedRow(row=row, uscc="", example=True)
    records: dict[str, dict] = {"enterprise": {}, "liaison": {}, "contact": {}, "annual_report": {}}
    grid = None
    errors: list[RowError] = []
    for alias, raw in values.items():
        column, record, name = _TARGET[alias]
        try:
            # The credit code may have been read already (the duplicates' pass), and valid.
            value = uscc if alias == "uscc" and uscc is not None else clean(column, raw)
        except ValidationError as error:
            errors.append(RowError(row, headers[alias], _message(error), error.code or ""))
            continue
        except Exception:  # a normaliser must never take the whole import down
            errors.append(
                RowError(row, headers[alias], str(_("This value cannot be read.")), "unreadable")
            )
            continue
        if record is None:
            grid = value
        else:
            records[record][name] = value
    parsed = ParsedRow(
        row=row,
        uscc=records["enterprise"].get("uscc", ""),
        grid=grid,
        errors=errors,
        **records,
    )
    contact = parsed.contact
    if any(contact.values()):
        # The model needs both a name and a phone for an emergency contact.
        for key, alias in (
            ("name", "emergency_contact_name"),
            ("phone", "emergency_contact_phone"),
        ):
            if not contact.get(key) and not any(
                e.column == headers.get(alias) for e in parsed.errors
            ):
                parsed.errors.append(
                    RowError(
                        row,
                        headers.get(alias, BY_ALIAS[alias].header),
                        str(_("An emergency contact needs both a name and a phone number.")),
                        "contact_incomplete",
                    )
                )
    else:
        parsed.contact = {}
    return parsed
