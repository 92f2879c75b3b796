"""The time limits are pure functions of the category, the moment of intake and the park's
working-day calendar."""

import datetime

from outreach.matters.limits import add_workdays, limits_for
from registry import clock
from registry.workdays import WorkCalendar


def _at(day: str, hour: int) -> datetime.datetime:
    return clock.start_of_day(datetime.date.fromisoformat(day)) + datetime.timedelta(hours=hour)


def test_working_days_skip_the_national_day_holiday_and_count_its_make_up_saturday():
    calendar = WorkCalendar(
        entered={
            2026: {
                **{datetime.date(2026, 10, d): False for d in range(1, 8)},
                datetime.date(2026, 10, 10): True,  # make-up Saturday
            }
        }
    )
    # From Wednesday 30 September: 8, 9 October, then Saturday 10 (make-up), Monday 12.
    assert add_workdays(calendar, datetime.date(2026, 9, 30), 1) == datetime.date(2026, 10, 8)
    assert add_workdays(calendar, datetime.date(2026, 9, 30), 3) == datetime.date(2026, 10, 10)
    assert add_workdays(calendar, datetime.date(2026, 9, 30), 4) == datetime.date(2026, 10, 12)


def test_resolution_is_due_at_the_end_of_the_last_working_day_and_reminded_at_80_percent():
    received = _at("2026-11-27", 10)  # a Friday
    limits = limits_for(
        received_at=received,
        first_response_hours=4,
        resolution_workdays=2,
        calendar=WorkCalendar(entered={2026: {}}),
    )
    assert limits.first_response_due == _at("2026-11-27", 14)
    assert limits.first_response_remind_at == received + datetime.timedelta(hours=3, minutes=12)
    # Monday and Tuesday; due at 24:00 Tuesday, park time.
    assert limits.resolution_due == _at("2026-12-02", 0)
    assert limits.resolution_remind_at == received + (limits.resolution_due - received) * 0.8
