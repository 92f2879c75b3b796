"""When to contact an enterprise: pure date logic, no database (tests/outreach/test_planner.py).

The practice (docs: domain.md, "分级定期触达"): key enterprises are contacted once a quarter,
general ones once a half year. Contacts fall on *contact days*: official working days
(weekends and public holidays excluded, the make-up working days of 调休 included, after the
park's ``registry.workdays.WorkCalendar``: the years admins entered, else ``chinese_calendar``)
that are not among the first or last three days of a month, when the finance staff who are
usually the liaisons are busy closing the books. The calendar is loaded once per run by the
caller and passed in as ``calendar=``: this module reads no database.

Periods are calendar periods of ``months`` months counted from 1 January (quarters: January,
April, July, October), so the load of a period can be spread evenly over its days: the
database side ranks the enterprises of each worker and hands each rank a day with
``spread``; a single re-plan after a contact takes the least-loaded day with
``least_loaded_day``.
"""

import datetime
from collections.abc import Mapping, Sequence

from registry import clock
from registry.workdays import WorkCalendar

# Days at either end of a month when nobody is reachable (月初/月末结账).
MONTH_EDGE_DAYS = 3
# Period lengths that divide a year, so periods line up with quarters and half years.
PERIOD_MONTHS = (1, 2, 3, 4, 6, 12)
MID_MONTH = 15


def period_start(day: datetime.date, months: int) -> datetime.date:
    """The first day of the ``months``-long calendar period holding ``day``."""
    if months not in PERIOD_MONTHS:
        raise ValueError(f"a period must divide the year: {months} months")
    return datetime.date(day.year, (day.month - 1) // months * months + 1, 1)


def period_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of the period that starts on ``start``."""
    return clock.add_months(start, months) - datetime.timedelta(days=1)


def next_period_start(start: datetime.date, months: int) -> datetime.date:
    return clock.add_months(start, months)


def is_official_workday(day: datetime.date, *, calendar: WorkCalendar) -> bool:
    """A working day by the State Council's calendar (registry.workdays)."""
    return calendar.is_workday(day)


def is_contact_day(day: datetime.date, *, calendar: WorkCalendar) -> bool:
    """A day a liaison can be contacted: a working day, clear of the month's edges."""
    last_of_month = clock.add_months(day, 1) - datetime.timedelta(days=1)
    if day.day <= MONTH_EDGE_DAYS or day.day > last_of_month.day - MONTH_EDGE_DAYS:
        return False
    return is_official_workday(day, calendar=calendar)


def contact_days(
    first: datetime.date, last: datetime.date, *, calendar: WorkCalendar
) -> list[datetime.date]:
    """Every contact day from ``first`` to ``last``, both included, in order."""
    days = []
    day = first
    while day <= last:
        if is_contact_day(day, calendar=calendar):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def period_contact_days(
    start: datetime.date,
    months: int,
    *,
    calendar: WorkCalendar,
    not_before: datetime.date | None = None,
) -> list[datetime.date]:
    """The contact days of the period starting on ``start``, from ``not_before`` on."""
    first = max(start, not_before) if not_before else start
    return contact_days(first, period_end(start, months), calendar=calendar)


def target_period(
    *,
    last_success: datetime.date | None,
    today: datetime.date,
    months: int,
    calendar: WorkCalendar,
) -> tuple[datetime.date, list[datetime.date]]:
    """The period in which the next contact falls, and its remaining contact days.

    Contacted in the current period: the next period. Never contacted, or last contacted in
    an earlier period (overdue): the current period from today on, unless it has no contact
    day left, then the next one.
    """
    current = period_start(today, months)
    if last_success is not None and last_success >= current:
        start = next_period_start(current, months)
        return start, period_contact_days(start, months, calendar=calendar)
    days = period_contact_days(current, months, calendar=calendar, not_before=today)
    if days:
        return current, days
    start = next_period_start(current, months)
    return start, period_contact_days(start, months, calendar=calendar)


def spread(count: int, days: Sequence[datetime.date]) -> list[datetime.date]:
    """``count`` contacts over ``days`` as evenly as possible, in day order: the i-th
    contact gets day ``floor(i * len(days) / count)``. The SQL of the bulk planner uses the
    same formula (outreach.sql.plan)."""
    if not days:
        raise ValueError("no contact day to spread over")
    return [days[i * len(days) // count] for i in range(count)]


def least_loaded_day(
    days: Sequence[datetime.date], load: Mapping[datetime.date, int]
) -> datetime.date:
    """The day with the fewest contacts already planned; among equals the one nearest the
    middle of its month (the practice prefers mid-month), then the earliest."""
    if not days:
        raise ValueError("no contact day to choose from")
    return min(days, key=lambda day: (load.get(day, 0), abs(day.day - MID_MONTH), day))
