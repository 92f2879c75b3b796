"""Issue 19 in the API: executives and business scope on the enterprise resource, and
PUT /api/enterprises/<code>/annual-reports/<year>/."""

import pytest

from registry.models import AnnualReport

pytestmark = pytest.mark.django_db


def test_the_api_reads_and_writes_executives_scope_and_annual_reports(
    api, staff_user, enterprise_a
):
    client = api(staff_user)
    url = f"/api/enterprises/{enterprise_a.uscc}/"
    response = client.patch(
        url,
        {
            "version": enterprise_a.version,
            "executives": [{"role": "监事", "name": "李四"}, {"role": "董事", "name": "张三"}],
            "business_scope": "技术服务",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["executives"] == [
        {"role": "董事", "name": "张三"},
        {"role": "监事", "name": "李四"},
    ]
    assert body["business_scope"] == "技术服务"

    put = client.put(f"{url}annual-reports/2025/", {"filed": True}, format="json")
    assert put.status_code == 200 and put.json() == {"year": 2025, "filed": True}
    assert client.get(url).json()["annual_reports"] == [{"year": 2025, "filed": True}]


def test_the_api_refuses_bad_executives_and_years_with_a_message(api, staff_user, enterprise_a):
    client = api(staff_user)
    url = f"/api/enterprises/{enterprise_a.uscc}/"
    bad = client.patch(url, {"version": 1, "executives": "张三"}, format="json")
    assert bad.status_code == 400 and "executives" in str(bad.json())
    role = client.patch(
        url, {"version": 1, "executives": [{"role": "会计", "name": "张三"}]}, format="json"
    )
    assert role.status_code == 400
    future = client.put(f"{url}annual-reports/2999/", {"filed": True}, format="json")
    assert future.status_code == 400
    missing = client.put(f"{url}annual-reports/2025/", {}, format="json")
    assert missing.status_code == 400
    enterprise_a.refresh_from_db()
    assert enterprise_a.executives == "" and not AnnualReport.objects.exists()


def test_an_auditor_reads_but_may_not_write_annual_reports(api, auditor, enterprise_a):
    client = api(auditor)
    url = f"/api/enterprises/{enterprise_a.uscc}/annual-reports/2025/"
    assert client.put(url, {"filed": True}, format="json").status_code == 403
