"""Values whose digits Excel already lost, and mobiles in ranges no operator uses: refused at
their row and column with a message that says what happened and what to do (in Chinese)."""

import io

import pytest
from django.utils import translation

from registry.models import Enterprise
from registry.spreadsheet.importing import registry_import
from tests.factories import valid_uscc
from tests.registry.spreadsheet.files import HEADERS, a_row, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

SCIENTIFIC = "Excel 把这个数字变成了科学计数法；请把该列设置为文本格式后重新输入"


def _import(data: bytes, name: str):
    with translation.override("zh-hans"):
        return registry_import(source=io.BytesIO(data), filename=name, dry_run=True)


def test_a_csv_saved_by_excel_with_numbers_in_scientific_notation(grid_a):
    """Excel writes a CSV as the cells show: a mobile in a General cell as 1.38123E+10 and an
    18-digit code as 9.13101E+17."""
    headers = [*HEADERS, "联络员身份证号"]
    rows = [
        headers,
        [*a_row(1, 联络员手机="1.38123E+10"), ""],
        [*a_row(2, 统一社会信用代码="9.13101E+17"), ""],
        [*a_row(3), "3.10115E+17"],
        [*a_row(4), ""],
    ]
    summary = _import(csv_bytes(rows, "gbk"), "名册.csv")
    assert (summary.invalid, summary.created) == (3, 1)
    by_row = {(e["row"], e["column"]): e["message"] for e in summary.errors}
    assert SCIENTIFIC in by_row[2, "联络员手机"] and "1.38123E+10" in by_row[2, "联络员手机"]
    assert SCIENTIFIC in by_row[3, "统一社会信用代码"]
    assert SCIENTIFIC in by_row[4, "联络员身份证号"]


def test_an_18_digit_code_stored_as_a_number_in_an_xlsx(grid_a):
    digits = int("913101150" + "0" * 9)  # all-digit codes exist; Excel keeps 15 digits
    summary = _import(xlsx_bytes([HEADERS, a_row(1, 统一社会信用代码=float(digits))]), "名册.xlsx")
    assert summary.invalid == 1
    assert "文本" in summary.errors[0]["message"] and "15" in summary.errors[0]["message"]


def test_a_mobile_in_a_range_no_operator_uses(grid_a):
    summary = _import(
        xlsx_bytes([HEADERS, a_row(1, 联络员手机="14012345678"), a_row(2)]), "名册.xlsx"
    )
    assert summary.invalid == 1
    [error] = summary.errors
    assert (error["row"], error["column"]) == (2, "联络员手机")
    assert "号段没有运营商在用" in error["message"]
    assert not Enterprise.objects.filter(uscc=valid_uscc(1)).exists()
