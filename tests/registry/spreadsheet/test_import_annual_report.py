"""The annual report in the registry spreadsheet (issue 19): 年报已报送 (是/否) for the year of
年报年度, or without it the year due on the import's date (last year's); an empty cell changes
nothing; the export writes both so export -> import round-trips."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from registry import clock
from registry.models import AnnualReport, Enterprise
from registry.services import annual_report_set
from registry.spreadsheet.exporting import registry_export
from registry.spreadsheet.importing import registry_import
from tests.factories import valid_uscc
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db

# Any moment of the year: a report year is always the one before, or named.
TODAY = clock.start_of_day(datetime.date(2026, 3, 10)) + datetime.timedelta(hours=10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _import(rows, **options):
    return registry_import(source=io.BytesIO(xlsx_bytes(rows)), filename="名册.xlsx", **options)


def _reports() -> dict[tuple[str, int], bool]:
    return {
        (uscc, year): filed
        for uscc, year, filed in AnnualReport.objects.values_list(
            "enterprise__uscc", "year", "filed"
        )
    }


def test_new_updated_and_empty_cells(grid_a):
    headers = [*HEADERS, "年报已报送"]
    summary = _import([headers, [*a_row(1), "是"], [*a_row(2), "否"], [*a_row(3), ""]])
    assert (summary.created, summary.invalid) == (3, 0)
    # Without 年报年度: last year's report, the one due by 30 June.
    assert _reports() == {(valid_uscc(1), 2025): True, (valid_uscc(2), 2025): False}
    assert AnnualReport.objects.get(enterprise__uscc=valid_uscc(1)).updated_at == clock.now()

    # Again: 1 unchanged, 2 now filed, 3 still empty (no row), and an empty cell never clears.
    summary = _import([headers, [*a_row(1), "√"], [*a_row(2), "是"], [*a_row(3), None]])
    assert (summary.unchanged, summary.updated, summary.created) == (2, 1, 0)
    assert _reports() == {(valid_uscc(1), 2025): True, (valid_uscc(2), 2025): True}
    assert summary.changes[0]["changes"] == [
        {"column": "年报已报送（2025）", "old": "否", "new": "是"}
    ]
    summary = _import([headers, [*a_row(1), ""], [*a_row(2), " "]])
    assert (summary.unchanged, summary.updated) == (2, 0)
    assert _reports() == {(valid_uscc(1), 2025): True, (valid_uscc(2), 2025): True}


def test_the_year_column_names_the_report_and_other_years_are_kept(grid_a, admin_user):
    enterprise = Enterprise.objects.create(
        uscc=valid_uscc(1), name="甲", registered_address="上海市测试路1号", grid=grid_a
    )
    annual_report_set(enterprise=enterprise, year=2024, filed=True, by=admin_user)
    headers = [*HEADERS, "年报年度", "年报已报送"]
    summary = _import(
        [headers, [*a_row(1), 2023.0, "是"], [*a_row(2), "2024年度", "N"]], by=admin_user
    )
    assert (summary.invalid, summary.written) == (0, True)
    assert _reports() == {
        (valid_uscc(1), 2023): True,
        (valid_uscc(1), 2024): True,
        (valid_uscc(2), 2024): False,
    }
    assert AnnualReport.objects.get(enterprise=enterprise, year=2023).updated_by == admin_user


def test_bad_values_are_row_errors_in_chinese_and_nothing_is_written(grid_a):
    headers = [*HEADERS, "年报年度", "年报已报送"]
    summary = _import(
        [
            headers,
            [*a_row(1), "", "已报"],
            [*a_row(2), "去年", "是"],
            [*a_row(3), 2030, "是"],
            [*a_row(4), 2025, "否"],
        ]
    )
    assert (summary.invalid, summary.written) == (3, False)
    errors = {(e["row"], e["column"]): e["message"] for e in summary.errors}
    assert "请填写“是”或“否”" in errors[2, "年报已报送"]
    assert errors[3, "年报年度"] == "请填写四位数的年份，例如 2025。"
    assert errors[4, "年报年度"] == "请填写 2013 至 2026 之间的报告年度。"
    assert not Enterprise.objects.exists() and not AnnualReport.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_writes_the_column_and_import_round_trips(grid_a, tmp_path, fmt):
    _import([[*HEADERS, "年报已报送"], [*a_row(1), "是"], [*a_row(2), "否"], [*a_row(3), ""]])
    out = tmp_path / f"名册.{fmt}"
    registry_export(out=str(out), fmt=fmt)
    if fmt == "xlsx":
        rows = list(load_workbook(out).active.iter_rows(values_only=True))
        header = list(rows[0])
        year, filed = header.index("年报年度"), header.index("年报已报送")
        assert [(r[year], r[filed]) for r in rows[1:]] == [
            ("2025", "是"),
            ("2025", "否"),
            ("2025", None),
        ]
    again = registry_import(source=str(out), filename=out.name)
    assert (again.unchanged, again.updated, again.created, again.invalid) == (3, 0, 0, 0)
    assert len(_reports()) == 2


def test_the_dry_run_counts_a_changed_report_and_writes_nothing(grid_a):
    _import([[*HEADERS, "年报已报送"], [*a_row(1), "否"]])
    summary = _import([[*HEADERS, "年报已报送"], [*a_row(1), "是"]], dry_run=True)
    assert (summary.updated, summary.written) == (1, False)
    assert _reports() == {(valid_uscc(1), 2025): False}
