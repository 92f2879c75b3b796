"""The sending window: when messages to liaisons may go out.

Official working days (registry.workdays) from ``CAMPAIGN_WINDOW_START`` to
``CAMPAIGN_WINDOW_END``, park time (09:00–17:30 by default); ``CAMPAIGN_WINDOW_PREFERRED``
(15:00) is when liaisons answer best, the time the outreach plan's light-touch SMS wait for.
Everything takes the instant from its caller (the one clock, registry/clock.py) and the
working-day calendar loaded once by its caller.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from registry import clock
from registry.workdays import WorkCalendar

# How far ahead the next window is looked for (a long holiday is at most ~10 days).
_LOOKAHEAD_DAYS = 60


def _time(value: str) -> datetime.time:
    hours, minutes = (int(part) for part in value.split(":"))
    if hours == 24 and minutes == 0:
        return datetime.time.max
    return datetime.time(hours, minutes)


def start() -> datetime.time:
    return _time(settings.CAMPAIGN_WINDOW_START)


def end() -> datetime.time:
    return _time(settings.CAMPAIGN_WINDOW_END)


def preferred() -> datetime.time:
    """The preferred time of day (15:00), within the window."""
    return _time(settings.CAMPAIGN_WINDOW_PREFERRED)


def _sending_day(day: datetime.date, calendar: WorkCalendar) -> bool:
    return not settings.CAMPAIGN_WINDOW_WORKDAYS_ONLY or calendar.is_workday(day)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def is_open(at: datetime.datetime, *, calendar: WorkCalendar) -> bool:
    """Whether ``at`` is within the window (start inclusive, end exclusive)."""
    local = clock.local(at)
    return _sending_day(local.date(), calendar) and start() <= local.time() < end()


def next_start(at: datetime.datetime, *, calendar: WorkCalendar) -> datetime.datetime:
    """The first moment at or after ``at`` that is within the window: ``at`` itself when it
    is, else the start of the next window."""
    if is_open(at, calendar=calendar):
        return at
    local = clock.local(at)
    day = local.date()
    if local.time() >= start():
        day += datetime.timedelta(days=1)
    for _ in range(_LOOKAHEAD_DAYS):
        if _sending_day(day, calendar):
            return _at(day, start())
        day += datetime.timedelta(days=1)
    return _at(day, start())


def next_sending_day(day: datetime.date, *, calendar: WorkCalendar) -> datetime.date:
    """The first day after ``day`` on which the window opens (the working day after it)."""
    for _ in range(_LOOKAHEAD_DAYS):
        day += datetime.timedelta(days=1)
        if _sending_day(day, calendar):
            return day
    return day


def window_text() -> str:
    """The window as the pages state it: "09:00–17:30"."""
    return f"{settings.CAMPAIGN_WINDOW_START}–{settings.CAMPAIGN_WINDOW_END}"
