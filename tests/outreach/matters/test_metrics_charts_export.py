"""The metrics page's charts and export, as a user notices them: the rates and times drawn by
month and by the chosen dimension (with a title and every figure readable without the
drawing), the tables as xlsx and csv in the user's scope, and no personal data in them."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from outreach.matters.metrics_charts import Series, bar_chart, line_chart, nice_ceiling
from outreach.matters.models import Department, MatterCategory
from outreach.matters.services import matter_intake
from registry import clock
from registry.models import SecurityEvent
from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("outreach:matters:metrics")
EXPORT = reverse("outreach:matters:metrics_export")


@pytest.fixture
def enterprise_b(grid_b):
    enterprise = EnterpriseFactory(grid=grid_b, name="杭州丙丁贸易有限公司")
    LiaisonFactory(enterprise=enterprise, name="李娜", mobile="13711112222")
    return enterprise


@pytest.fixture
def two_grids(intake, enterprise_b, staff_user, tax, complaint):
    """Two matters of grid A (one answered at once, as resolved) and one of grid B."""
    intake(disposition="answered", answer="已答复")
    intake(category=complaint, requester_name="赵敏", requester_phone="13800001111")
    matter_intake(
        channel="phone",
        category=tax,
        description="乙网格企业的问题",
        by=staff_user,
        enterprise=enterprise_b,
        requester_name="李娜",
    )


def _svg(page: str, testid: str) -> str:
    match = re.search(rf'<svg [^>]*data-testid="{testid}".*?</svg>', page, re.S)
    assert match, f"no chart {testid}"
    return match.group(0)


def test_the_page_draws_the_rates_and_times_by_month_and_by_category(client, staff_user, two_grids):
    client.force_login(staff_user)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    month = _svg(page, "chart-rates-month")
    # Named for screen readers, in Chinese, with every figure in its description.
    assert 'role="img"' in month and 'aria-labelledby="chart-rates-month-title' in month
    assert "响应率、解决率、满意率 · 按月份" in month
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", month).group(1)
    assert "解决率 100%" in desc  # the one answered matter was resolved
    times = _svg(page, "chart-times-month")
    assert "首次响应时长（小时）" in times and "办结时长（小时）" in times
    by_category = _svg(page, "chart-rates-category")
    assert "税务" in by_category and "投诉" in by_category
    assert "税务 · 解决率: 100%" in by_category  # a bar's own tooltip
    assert "投诉 · 解决率" not in by_category  # nothing answered: no bar, not a zero
    # The tables stay, below the charts.
    assert page.index('data-testid="metrics-charts"') < page.index('data-testid="metrics-month"')
    assert 'data-testid="metrics-grid"' in page


def test_choosing_the_departments_charts_them_and_a_wrong_choice_is_named(
    client, staff_user, intake, tax_office
):
    intake(disposition="routed", department=tax_office)
    client.force_login(staff_user)
    page = client.get(PAGE, {"by": "department"}).content.decode()
    assert "税务服务科" in _svg(page, "chart-rates-department")
    assert 'data-testid="chart-rates-category"' not in page
    assert '<option value="department" selected>' in page
    wrong = client.get(PAGE, {"by": "owner"})
    assert wrong.status_code == 400
    assert 'data-testid="error-by"' in wrong.content.decode()
    backwards = client.get(PAGE, {"since": "2026-03-01", "until": "2026-02-01"})
    assert backwards.status_code == 400
    assert "结束日期早于开始日期" in backwards.content.decode()


def test_a_page_with_no_matters_shows_no_empty_charts(client, auditor):
    client.force_login(auditor)
    page = client.get(PAGE).content.decode()
    assert "<svg" not in page and "无。" in page


def test_a_missing_figure_breaks_the_line_and_leaves_out_the_bar():
    labels = ["2026-01", "2026-02", "2026-03"]
    rates = [Series("响应率", [50.0, None, 75.0])]
    line = line_chart(labels=labels, series=rates, unit="%", title="t", testid="c")
    assert line.count("<polyline") == 2  # no segment drawn through the missing month
    assert "2026-02 · 响应率" not in line and "2026-03 · 响应率: 75%" in line
    assert "2026-02: 响应率 —" in line  # the description says it is missing
    bars = bar_chart(labels=labels, series=rates, unit="%", title="t", testid="b")
    assert bars.count("<rect") == 2 + 1  # two bars and the legend's mark
    # Hours get a round axis above the longest time.
    assert [nice_ceiling(v) for v in (0, 0.4, 3, 17, 20, 120)] == [1, 1, 5, 20, 20, 200]
    hours = line_chart(
        labels=labels, series=[Series("h", [3.0, 17.0, None])], unit="h", title="t", testid="h"
    )
    assert ">20h<" in hours


def test_names_in_a_chart_are_escaped(client, staff_user, intake):
    odd = MatterCategory.objects.create(name="<b>税务</b>")
    intake(category=odd)
    client.force_login(staff_user)
    page = client.get(PAGE).content.decode()
    assert "<b>税务</b>" not in page and "&lt;b&gt;税务&lt;/b&gt;" in page


def test_the_export_as_xlsx_holds_the_four_tables(client, staff_user, two_grids):
    client.force_login(staff_user)
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="matter-metrics-')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["按月份", "按类别", "按部门", "按网格"]
    rows = list(book["按网格"].values)
    assert rows[0][:3] == ("统计维度", "分组", "诉求")
    by_grid = {row[1]: row for row in rows[1:]}
    assert by_grid["甲网格"][2] == 2 and by_grid["乙网格"][2] == 1
    assert by_grid["甲网格"][8] == 100  # 解决率 (%): a number, not text
    event = SecurityEvent.objects.get(action="export")
    assert event.detail["what"] == "matter_metrics" and event.detail["rows"] == len(
        [r for name in book.sheetnames for r in list(book[name].values)[1:]]
    )


def test_a_grid_worker_exports_their_grids_only_and_no_personal_data(
    client, worker_a, two_grids, enterprise_a
):
    client.force_login(worker_a)
    response = client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    grids = [row[1] for row in rows[1:] if row[0] == "按网格"]
    assert grids == ["甲网格"]
    for personal in ("赵敏", "13800001111", "李娜", "张伟", enterprise_a.current_liaison.mobile):
        assert personal not in text
    assert enterprise_a.name not in text


def test_auditors_export_and_the_period_filters_it(client, auditor, two_grids):
    client.force_login(auditor)
    today = clock.today()
    later = today + datetime.timedelta(days=400)
    text = b"".join(
        client.get(EXPORT, {"format": "csv", "since": later.isoformat()}).streaming_content
    ).decode("utf-8")
    assert len(list(csv.reader(io.StringIO(text)))) == 1  # the headers, nothing received then
    bad = client.get(EXPORT, {"format": "csv", "since": "31/12/2026"})
    assert bad.status_code == 400
    assert 'data-testid="error-since"' in bad.content.decode()


def test_a_name_a_spreadsheet_would_run_is_kept_as_text(client, staff_user, intake):
    Department.objects.create(name="=HYPERLINK(1)")
    intake(department=Department.objects.get(name="=HYPERLINK(1)"), disposition="routed")
    client.force_login(staff_user)
    text = b"".join(client.get(EXPORT, {"format": "csv"}).streaming_content).decode("utf-8")
    assert "'=HYPERLINK(1)" in text
