"""The date planner: pure date logic, no database."""

import datetime
from collections import Counter

import pytest

from outreach import planner
from registry.workdays import WorkCalendar

D = datetime.date
# The package's calendar with nothing entered (pure: no database).
CAL = WorkCalendar()


def test_weekends_are_not_contact_days():
    assert not planner.is_contact_day(D(2026, 11, 21), calendar=CAL)  # a Saturday
    assert not planner.is_contact_day(D(2026, 11, 22), calendar=CAL)  # a Sunday
    assert planner.is_contact_day(D(2026, 11, 23), calendar=CAL)  # a Monday


def test_public_holidays_are_skipped():
    # National Day week: 1-7 October 2026; the 5th-7th are weekdays but holidays.
    assert not planner.is_contact_day(D(2026, 10, 5), calendar=CAL)
    assert not planner.is_contact_day(D(2026, 10, 7), calendar=CAL)
    # Mid-Autumn Festival 2026 falls on Friday 25 September.
    assert not planner.is_contact_day(D(2026, 9, 25), calendar=CAL)


def test_official_make_up_working_days_count_even_on_a_saturday():
    assert D(2026, 10, 10).weekday() == 5
    assert planner.is_contact_day(D(2026, 10, 10), calendar=CAL)
    assert planner.is_contact_day(D(2026, 2, 14), calendar=CAL)


@pytest.mark.parametrize("day", [1, 2, 3, 28, 29, 30])
def test_the_first_and_last_three_days_of_a_month_are_avoided(day):
    # April 2026 has 30 days; these are all weekdays or would be but for the month's edge.
    assert not planner.is_contact_day(D(2026, 4, day), calendar=CAL)


def test_the_last_three_days_follow_the_length_of_the_month():
    assert not planner.is_contact_day(D(2027, 2, 26), calendar=CAL)  # February 2027 has 28 days
    assert planner.is_contact_day(D(2027, 2, 25), calendar=CAL)  # a Thursday
    assert planner.is_contact_day(D(2026, 3, 27), calendar=CAL)  # a Friday, 5th-last of 31


def test_a_year_without_published_holidays_falls_back_to_weekdays(caplog):
    assert planner.is_contact_day(D(2099, 6, 15), calendar=CAL)  # a Monday
    assert not planner.is_contact_day(D(2099, 6, 13), calendar=CAL)  # a Saturday


def test_quarters_and_half_years_start_in_january():
    assert planner.period_start(D(2026, 11, 24), 3) == D(2026, 10, 1)
    assert planner.period_start(D(2026, 11, 24), 6) == D(2026, 7, 1)
    assert planner.period_end(D(2026, 10, 1), 3) == D(2026, 12, 31)
    assert planner.next_period_start(D(2026, 10, 1), 3) == D(2027, 1, 1)
    with pytest.raises(ValueError):
        planner.period_start(D(2026, 1, 1), 5)


def test_contacted_this_quarter_means_due_next_quarter():
    start, days = planner.target_period(
        last_success=D(2026, 10, 20), today=D(2026, 11, 24), months=3, calendar=CAL
    )
    assert start == D(2027, 1, 1)
    assert days[0] >= D(2027, 1, 4) and days[-1] <= D(2027, 3, 28)


def test_never_contacted_or_overdue_means_due_this_period_from_today():
    for last in (None, D(2026, 3, 1)):
        start, days = planner.target_period(
            last_success=last, today=D(2026, 11, 24), months=3, calendar=CAL
        )
        assert start == D(2026, 10, 1)
        assert days[0] == D(2026, 11, 24)
        assert all(planner.is_contact_day(day, calendar=CAL) for day in days)


def test_when_the_period_has_no_contact_day_left_it_is_the_next_one():
    start, days = planner.target_period(
        last_success=None, today=D(2026, 12, 29), months=3, calendar=CAL
    )
    assert days[0] == D(2027, 1, 4)
    assert start == D(2027, 1, 1)


def test_spread_gives_every_day_its_share():
    days = planner.contact_days(D(2027, 1, 1), D(2027, 3, 31), calendar=CAL)
    planned = planner.spread(len(days) * 3, days)
    assert Counter(planned) == {day: 3 for day in days}
    few = planner.spread(4, days)
    assert few == sorted(few) and len(set(few)) == 4
    assert few[0] == days[0] and few[-1] >= days[len(days) * 3 // 4]


def test_least_loaded_day_prefers_a_free_day_then_mid_month():
    days = [D(2027, 1, 6), D(2027, 1, 14), D(2027, 1, 15), D(2027, 1, 20)]
    assert planner.least_loaded_day(days, {}) == D(2027, 1, 15)
    assert planner.least_loaded_day(days, {D(2027, 1, 15): 2, D(2027, 1, 14): 1}) == D(2027, 1, 20)
    with pytest.raises(ValueError):
        planner.least_loaded_day([], {})
