"""Issue 19 in the registry: business scope (经营范围) and executives (董事 / 监事 / 高管) on
the pages, in the API, the import and the export; the annual report of each year (企业信息
公示暂行条例 art. 8): a staff toggle, the API, the list's flag and filter."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from registry import clock, normalize, services
from registry.models import AnnualReport, Enterprise
from registry.spreadsheet.importing import registry_import
from tests.factories import EnterpriseFactory
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db


# --- Executives as people type them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("董事：张三、李四；监事：王五；高管：赵六", "董事：张三、李四；监事：王五；高管：赵六"),
        ("监事:王五\n董事长: 张三, 李四", "董事：张三、李四；监事：王五"),
        ("总经理：赵六；执行董事：张三；董事：张三", "董事：张三；高管：赵六"),
        ("  ", ""),
    ],
)
def test_executives_are_stored_in_one_canonical_line(typed, stored):
    assert normalize.normalize_executives(typed) == stored


@pytest.mark.parametrize("typed", ["张三", "会计：张三", "董事张三"])
def test_executives_without_a_known_role_are_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as error:
        normalize.normalize_executives(typed)
    assert error.value.code == "executives_invalid"


# --- The pages --------------------------------------------------------------------------------


def _edit_data(enterprise, **changes):
    data = {
        "name": enterprise.name,
        "registered_address": enterprise.registered_address,
        "status": enterprise.status,
        "version": enterprise.version,
    }
    return data | changes


def test_staff_enter_business_scope_and_executives_and_see_them_on_the_page(
    client, staff_user, enterprise_a
):
    client.force_login(staff_user)
    url = reverse("registry:enterprise_edit", args=[enterprise_a.uscc])
    response = client.post(
        url,
        _edit_data(
            enterprise_a,
            business_scope="软件开发；信息技术咨询服务",
            executives="董事长：张三\n监事：李四",
        ),
    )
    assert response.status_code == 302
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc]))
    text = page.content.decode()
    assert "董事：张三；监事：李四" in text
    assert "软件开发;信息技术咨询服务" in text  # full-width punctuation made half-width


def test_executives_without_a_role_are_refused_beside_the_field_and_nothing_is_saved(
    client, staff_user, enterprise_a
):
    client.force_login(staff_user)
    url = reverse("registry:enterprise_edit", args=[enterprise_a.uscc])
    response = client.post(url, _edit_data(enterprise_a, executives="张三", industry="软件"))
    assert response.status_code == 400
    assert "董事" in response.content.decode()
    enterprise_a.refresh_from_db()
    assert (enterprise_a.executives, enterprise_a.industry) == ("", "")


def test_staff_toggle_the_annual_report_of_a_year(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    year = clock.today().year - 1
    url = reverse("registry:annual_report_set", args=[enterprise_a.uscc, year])
    assert client.post(url, {"filed": "1"}).status_code == 302
    assert AnnualReport.objects.get(enterprise=enterprise_a, year=year).filed
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc]))
    assert "Mark not filed" in page.content.decode() or "标记为未报" in page.content.decode()
    client.post(url, {"filed": "0"})
    assert not AnnualReport.objects.get(enterprise=enterprise_a, year=year).filed
    assert AnnualReport.objects.count() == 1


def test_a_toggle_for_a_future_year_or_without_a_value_is_refused(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    future = reverse("registry:annual_report_set", args=[enterprise_a.uscc, 2999])
    client.post(future, {"filed": "1"})
    assert not AnnualReport.objects.exists()
    bad = reverse("registry:annual_report_set", args=[enterprise_a.uscc, 2025])
    assert client.post(bad, {"filed": "maybe"}).status_code == 400
    assert not AnnualReport.objects.exists()


def test_an_auditor_may_not_toggle_and_a_grid_worker_not_outside_the_grid(
    client, auditor, worker_b, enterprise_a
):
    url = reverse("registry:annual_report_set", args=[enterprise_a.uscc, 2025])
    client.force_login(auditor)
    assert client.post(url, {"filed": "1"}).status_code == 403
    client.force_login(worker_b)
    assert client.post(url, {"filed": "1"}).status_code == 404
    assert not AnnualReport.objects.exists()


def test_the_list_filters_non_filers_and_flags_them_from_1_july(
    client, staff_user, enterprise_a, grid_a
):
    filed = EnterpriseFactory(grid=grid_a, name="已报企业")
    AnnualReport.objects.create(enterprise=filed, year=2025, filed=True, updated_at=clock.now())
    Enterprise.objects.update(created_at=clock.start_of_day(datetime.date(2024, 5, 1)))
    url = reverse("registry:enterprises")
    for day, flagged in ((datetime.date(2026, 6, 30), False), (datetime.date(2026, 7, 1), True)):
        with time_machine.travel(clock.start_of_day(day) + datetime.timedelta(hours=10)):
            # Logged in on that day: a session from months before has timed out (30 minutes).
            client.force_login(staff_user)
            rows = client.get(url, {"annual_report": "not_filed"}).context["page"].object_list
            assert [e.name for e in rows] == [enterprise_a.name]
            page = client.get(url).content.decode()
            assert page.count('data-testid="annual-report-overdue"') == (1 if flagged else 0)
            filers = client.get(url, {"annual_report": "filed"}).context["page"].object_list
            assert [e.name for e in filers] == ["已报企业"]


# --- The import and the export ----------------------------------------------------------------


def test_the_import_takes_executives_and_business_scope(grid_a):
    headers = [*HEADERS, "董监高", "经营范围"]
    good = [*a_row(1), "执行董事：张三；监事：李四", "软件开发"]
    summary = registry_import(source=io.BytesIO(xlsx_bytes([headers, good])), filename="名册.xlsx")
    assert summary.created == 1, summary.errors
    enterprise = Enterprise.objects.get()
    assert (enterprise.executives, enterprise.business_scope) == (
        "董事：张三；监事：李四",
        "软件开发",
    )
    bad = [*a_row(2), "张三", "软件开发"]
    refused = registry_import(source=io.BytesIO(xlsx_bytes([headers, bad])), filename="名册.xlsx")
    assert refused.invalid == 1
    assert refused.errors[0]["column"] == "董监高"
    assert Enterprise.objects.count() == 1


def test_the_export_writes_them_back(client, admin_user, enterprise_a, staff_user):
    services.enterprise_update(
        enterprise=enterprise_a, by=staff_user, executives="董事：张三", business_scope="咨询"
    )
    client.force_login(admin_user)
    response = client.get(reverse("registry:export"))
    data = b"".join(response.streaming_content)
    header, row, *_ = (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    )
    assert row[header.index("董监高")] == "董事：张三"
    assert row[header.index("经营范围")] == "咨询"
