"""A matter's time limits, as pure functions of its category, the moment it came in and the
park's working-day calendar (registry.workdays.WorkCalendar): no database, plain tests.

- First response: ``first_response_hours`` clock hours after intake (a phone call at 17:00
  with a 4-hour limit is due at 21:00: the desk's duty phone answers complaints).
- Resolution: the end (24:00, park time) of the ``resolution_workdays``-th working day after
  the day of intake, the make-up Saturdays counting and the holidays not.
- Reminders at 80 % of each span (the owner is told before the limit, not at it).
"""

import datetime
from dataclasses import dataclass

from registry import clock
from registry.workdays import WorkCalendar

REMIND_AT = 0.8


def add_workdays(calendar: WorkCalendar, day: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``day`` (``day`` itself does not count)."""
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day


def remind_at(start: datetime.datetime, due: datetime.datetime) -> datetime.datetime:
    return start + (due - start) * REMIND_AT


@dataclass(frozen=True)
class Limits:
    first_response_due: datetime.datetime
    resolution_due: datetime.datetime
    first_response_remind_at: datetime.datetime
    resolution_remind_at: datetime.datetime


def limits_for(
    *,
    received_at: datetime.datetime,
    first_response_hours: int,
    resolution_workdays: int,
    calendar: WorkCalendar,
) -> Limits:
    response_due = received_at + datetime.timedelta(hours=first_response_hours)
    last_day = add_workdays(calendar, clock.today(received_at), resolution_workdays)
    resolution_due = clock.start_of_day(last_day + datetime.timedelta(days=1))
    return Limits(
        first_response_due=response_due,
        resolution_due=resolution_due,
        first_response_remind_at=remind_at(received_at, response_due),
        resolution_remind_at=remind_at(received_at, resolution_due),
    )
