"""The park's working-day calendar: entered years over the package, else Monday-Friday."""

import datetime
import logging

import pytest

from outreach import planner
from registry.holidays import HolidayRow, holiday_year_save
from registry.models import HolidayDay
from registry.workdays import PACKAGE_YEARS, WorkCalendar, _warn_no_calendar, years_to_check

D = datetime.date
HOLIDAY, WORKDAY = HolidayDay.Kind.HOLIDAY, HolidayDay.Kind.WORKDAY


def _enter(year, *rows, by, notice="国办发明电〔2026〕7号"):
    days = [HolidayRow(date=day, kind=kind, name=name) for day, kind, name in rows]
    return holiday_year_save(year=year, notice=notice, days=days, by=by)


def test_the_package_knows_2026_but_not_2027():
    # The premise of the issue: chinesecalendar 1.11.0 stops at 2026.
    assert 2026 in PACKAGE_YEARS and 2027 not in PACKAGE_YEARS
    calendar = WorkCalendar()
    assert calendar.covers(2026) and not calendar.covers(2027)
    assert calendar.missing_years([2027, 2026, 2027]) == [2027]


def test_without_anything_entered_the_package_decides():
    calendar = WorkCalendar()
    assert not calendar.is_workday(D(2026, 10, 5))  # National Day, a Monday
    assert calendar.is_workday(D(2026, 10, 10))  # a make-up Saturday


def test_an_entered_year_is_the_whole_arrangement_of_that_year():
    calendar = WorkCalendar(entered={2026: {D(2026, 10, 5): True, D(2026, 3, 2): False}})
    assert calendar.is_workday(D(2026, 10, 5))  # entered as a working day over the package
    assert not calendar.is_workday(D(2026, 3, 2))  # entered as a holiday: a Monday off
    # Not listed: an ordinary day, whatever the package says (6 Oct: its holiday; 10 Oct:
    # its make-up Saturday).
    assert calendar.is_workday(D(2026, 10, 6))
    assert not calendar.is_workday(D(2026, 10, 10))
    # Another year still follows the package.
    assert not calendar.is_workday(D(2025, 10, 1))
    assert calendar.source(2026) == "entered" and calendar.source(2025) == "package"


def test_a_year_known_to_neither_falls_back_to_monday_to_friday_with_a_warning(caplog):
    _warn_no_calendar.cache_clear()
    calendar = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="registry.workdays"):
        assert calendar.is_workday(D(2098, 6, 16))  # a Monday
        assert not calendar.is_workday(D(2098, 6, 14))  # a Saturday
    assert calendar.source(2098) == "weekdays"
    assert [r.getMessage() for r in caplog.records if "2098" in r.getMessage()]


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (D(2026, 1, 1), [2026]),
        (D(2026, 10, 31), [2026]),
        (D(2026, 11, 1), [2026, 2027]),
        (D(2026, 12, 31), [2026, 2027]),
    ],
)
def test_the_next_year_is_expected_from_1_november(today, years):
    assert years_to_check(today) == years


@pytest.mark.django_db
def test_load_reads_the_entered_years_in_one_query(admin_user, django_assert_num_queries):
    _enter(2027, (D(2027, 2, 10), HOLIDAY, "春节"), (D(2027, 2, 7), WORKDAY, "春节"), by=admin_user)
    _enter(2026, (D(2026, 10, 5), WORKDAY, "测试"), by=admin_user)
    with django_assert_num_queries(1):
        calendar = WorkCalendar.load()
    assert calendar.entered == {
        2026: {D(2026, 10, 5): True},
        2027: {D(2027, 2, 10): False, D(2027, 2, 7): True},
    }
    assert calendar.covers(2027)
    assert calendar.missing_years([2026, 2027, 2028]) == [2028]


@pytest.mark.django_db
def test_the_planner_follows_an_entered_day_over_the_package(admin_user):
    # 5 October 2026 is National Day in the package; the admin enters 2026 with it as a
    # working day.
    assert not planner.is_contact_day(D(2026, 10, 5), calendar=WorkCalendar.load())
    _enter(2026, (D(2026, 10, 5), WORKDAY, "国庆节"), by=admin_user)
    calendar = WorkCalendar.load()  # the next run's load sees it: no restart, no cache
    assert planner.is_official_workday(D(2026, 10, 5), calendar=calendar)
    assert planner.is_contact_day(D(2026, 10, 5), calendar=calendar)
    assert D(2026, 10, 5) in planner.contact_days(D(2026, 10, 1), D(2026, 10, 9), calendar=calendar)
