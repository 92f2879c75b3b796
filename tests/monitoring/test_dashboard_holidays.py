"""The dashboard tells admins and staff when a year's holidays are known to nobody.

Time is frozen at stated dates, so these hold on any real date; the package
(chinesecalendar 1.11.0) knows 2004-2026.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from registry.holidays import HolidayRow, holiday_year_save

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WARNING_2027 = "2027年节假日安排未录入"


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_from_1_november_admins_are_told_the_next_year_is_missing_with_a_link(client, admin_user):
    with time_machine.travel(_at(2026, 11, 30, 10), tick=False):
        html = _home(client, admin_user)
    assert WARNING_2027 in html
    assert f'href="{reverse("registry:holidays")}"' in html
    assert "2026年节假日安排未录入" not in html  # the package knows 2026


def test_staff_are_told_too_without_the_admins_link(client, staff_user):
    with time_machine.travel(_at(2026, 11, 30, 10), tick=False):
        html = _home(client, staff_user)
    assert WARNING_2027 in html
    assert "请园区管理员录入" in html
    assert 'data-testid="holidays-enter"' not in html


def test_grid_workers_and_auditors_are_not_told(client, worker_a, auditor):
    with time_machine.travel(_at(2026, 11, 30, 10), tick=False):
        for user in (worker_a, auditor):
            assert 'data-testid="holidays-missing"' not in _home(client, user)


def test_before_november_the_next_year_is_not_yet_expected(client, admin_user):
    # 31 October 23:30 in Shanghai (15:30 UTC): still October in the park.
    with time_machine.travel(_at(2026, 10, 31, 23, 30), tick=False):
        assert 'data-testid="holidays-missing"' not in _home(client, admin_user)


def test_once_entered_the_warning_is_gone(client, admin_user, staff_user):
    holiday_year_save(
        year=2027,
        notice="国办发明电〔2026〕7号",
        days=[HolidayRow(datetime.date(2027, 1, 1), "holiday", "元旦")],
        by=admin_user,
    )
    with time_machine.travel(_at(2026, 11, 30, 10), tick=False):
        assert WARNING_2027 not in _home(client, admin_user)
        assert WARNING_2027 not in _home(client, staff_user)


def test_in_a_year_nobody_entered_the_current_year_is_missing(client, admin_user):
    with time_machine.travel(_at(2027, 3, 15, 10), tick=False):
        html = _home(client, admin_user)
    assert WARNING_2027 in html
    assert "2028年节假日安排未录入" not in html  # not before November


def test_the_warning_is_in_english_for_english_readers(client, admin_user):
    client.cookies["django_language"] = "en"
    with time_machine.travel(_at(2026, 11, 30, 10), tick=False):
        # Logged in at the stated moment: a session ends SESSION_MAX_HOURS after its login.
        client.force_login(admin_user)
        html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The holiday arrangement for 2027 has not been entered" in html
