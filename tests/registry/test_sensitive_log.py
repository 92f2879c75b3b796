"""The log of sensitive views as auditors and admins read it (issue 14): Chinese field names,
filters by who / enterprise / field / when, one row per export, and an export of the log
that holds no full value."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from registry.models import SecurityEvent, SensitiveView
from registry.services import sensitive_value_reveal
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_id_number

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"
ID_NUMBER = valid_id_number(13)


@pytest.fixture
def log(staff_user, worker_a, enterprise_a, grid_a):
    """Three views: staff showed A's liaison's mobile (on 1 March), the worker showed it (on
    3 March), and staff showed B's liaison's ID number."""
    other = EnterpriseFactory(grid=grid_a, name="南京丙丁物流有限公司")
    LiaisonFactory(enterprise=other, id_number=ID_NUMBER)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)):
        sensitive_value_reveal(
            instance=enterprise_a.current_liaison, field="mobile", by=staff_user, channel="page"
        )
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC)):
        sensitive_value_reveal(
            instance=enterprise_a.current_liaison, field="mobile", by=worker_a, channel="api"
        )
        sensitive_value_reveal(
            instance=other.current_liaison, field="id_number", by=staff_user, channel="page"
        )
    return other


def _rows(client, **params):
    response = client.get(reverse("registry:sensitive_views"), params)
    assert response.status_code == 200
    return response.context["rows"], response.content.decode()


@pytest.mark.parametrize("persona", ["auditor", "admin_user"])
def test_auditors_and_admins_read_the_log_with_chinese_field_names(client, request, log, persona):
    client.force_login(request.getfixturevalue(persona))
    with translation.override("zh-hans"):
        rows, html = _rows(client)
    assert len(rows) == 3
    assert "联络员 · 手机" in html
    assert "身份证号" in html
    assert MOBILE not in html


@pytest.mark.parametrize("persona", ["staff_user", "worker_a"])
def test_others_may_not_read_the_log(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("registry:sensitive_views")).status_code == 403
    assert client.get(reverse("registry:sensitive_views_export")).status_code == 403


def test_the_log_filters_by_who_enterprise_field_and_day(
    client, auditor, log, staff_user, enterprise_a
):
    client.force_login(auditor)
    assert len(_rows(client, user=staff_user.username)[0]) == 2
    assert len(_rows(client, enterprise=enterprise_a.uscc)[0]) == 2
    assert len(_rows(client, enterprise="丙丁")[0]) == 1
    assert len(_rows(client, field="liaison.id_number")[0]) == 1
    assert len(_rows(client, field="liaison.mobile")[0]) == 2
    assert len(_rows(client, since="2026-03-02")[0]) == 2
    assert len(_rows(client, until="2026-03-01")[0]) == 1
    assert len(_rows(client, user=staff_user.username, since="2026-03-02")[0]) == 1


def test_an_export_is_one_row_naming_every_column_shown_in_full(
    client, staff_user, auditor, enterprise_a
):
    client.force_login(staff_user)
    response = client.get(reverse("registry:export"), {"format": "csv"})
    b"".join(response.streaming_content)
    exports = SensitiveView.objects.filter(channel=SensitiveView.Channel.EXPORT)
    assert exports.count() == 1
    assert {"liaison.mobile", "liaison.id_number"} <= set(exports.get().fields)
    client.force_login(auditor)
    with translation.override("zh-hans"):
        rows, _html = _rows(client, channel="export")
    assert len(rows) == 1
    assert "联络员 · 手机" in rows[0].fields and "联络员 · 身份证号" in rows[0].fields


def test_an_export_row_carries_the_address_and_user_agent_as_a_reveal_does(
    client, staff_user, enterprise_a
):
    client.force_login(staff_user)
    response = client.get(
        reverse("registry:export"),
        {"format": "csv"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (Test)",
    )
    b"".join(response.streaming_content)
    export = SensitiveView.objects.get(channel=SensitiveView.Channel.EXPORT)
    assert export.ip_address == "203.0.113.7"
    assert export.user_agent == "Mozilla/5.0 (Test)"
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert event.address == "203.0.113.7"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_log_exports_without_a_full_value_and_the_export_is_logged(
    client, auditor, log, enterprise_a, fmt
):
    client.force_login(auditor)
    with translation.override("zh-hans"):
        response = client.get(
            reverse("registry:sensitive_views_export"),
            {"format": fmt, "enterprise": enterprise_a.uscc},
        )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        table = [[str(c or "") for c in row] for row in sheet.iter_rows(values_only=True)]
    header, *data = table
    assert header[:5] == ["时间", "查看人", "企业", "统一社会信用代码", "字段"]
    assert len(data) == 2
    assert all(row[3] == enterprise_a.uscc for row in data)
    assert all(row[4] == "联络员 · 手机号码" for row in data)
    text = "\n".join("\t".join(row) for row in table)
    assert MOBILE not in text and ID_NUMBER not in text
    logged = SensitiveView.objects.filter(user=auditor).get()
    assert logged.record == "sensitiveview" and logged.channel == "export"


@pytest.mark.parametrize("route", ["registry:sensitive_views", "registry:sensitive_views_export"])
def test_the_last_day_a_date_can_be_is_a_filter_not_a_server_error(client, auditor, route):
    client.force_login(auditor)
    response = client.get(reverse(route), {"until": "9999-12-31", "format": "csv"})
    assert response.status_code == 200
