"""The one clock: every decision that depends on the date reads it here and passes it down.

The park's date is the date in Asia/Shanghai (``settings.TIME_ZONE``), not UTC's: a contact
logged at 00:30 on 1 January Beijing time (16:30 on 31 December UTC) belongs to the new year.
Services, selectors and tasks take ``now`` / ``today`` as keyword arguments defaulting to this
module, and hand them to SQL as parameters: the database's own ``now()`` / ``current_date``
only stamp rows (``created_at``), never take part in a decision Python also makes, so a test
that moves Python's clock (time-machine) or a database server whose clock drifts cannot split
one decision between two clocks (docs/ARCHITECTURE.md, "Time").
"""

import datetime

from django.utils import timezone

# The instant itself is read in accounts/clock.py (the lowest app, so accounts can read it
# without importing the registry); everything else here is built on it.
from accounts.clock import now

__all__ = ["add_months", "local", "months_back", "now", "start_of_day", "today"]


def today(at: datetime.datetime | None = None) -> datetime.date:
    """The park's date at ``at`` (default: now)."""
    return timezone.localdate(at or now())


def local(at: datetime.datetime | None = None) -> datetime.datetime:
    """``at`` (default: now) in the park's time zone, for display and for the hour of day."""
    return timezone.localtime(at or now())


def start_of_day(day: datetime.date) -> datetime.datetime:
    """00:00 of ``day`` in the park's time zone, as an aware instant (the bound of a day)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the calendar month ``months`` after (or before, if negative) ``day``'s.

    Calendar months, not multiples of 30 days: "three months back" from 31 May is 1 February.
    """
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` calendar months before ``day``, clipped to the end
    of a shorter month (29 February 2028 minus 12 months is 28 February 2027)."""
    first = add_months(day, -months)
    last_of_month = add_months(first, 1) - datetime.timedelta(days=1)
    return first.replace(day=min(day.day, last_of_month.day))
