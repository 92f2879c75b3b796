"""Outreach tests run on a fixed day, since contact days depend on the calendar: Tuesday
24 November 2026, 10:00 in Shanghai (Q4; the second half-year)."""

import datetime
import zoneinfo

import pytest
import time_machine

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 24)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """Time stands at TODAY 10:00; ``clock.move_to(at(day))`` moves it."""
    with time_machine.travel(at(TODAY), tick=False) as traveller:
        yield traveller
