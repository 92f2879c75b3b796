"""The park's working-day calendar: which days are official working days.

Three sources, in order of precedence:

1. a year a park admin entered (``HolidayYear`` with its ``HolidayDay`` rows, from the State
   Council's notice, published each November for the next year): the whole arrangement of
   that year; a day it does not list is an ordinary day;
2. the ``chinese_calendar`` package, for the years it has data for (a release follows the
   notice by weeks or months);
3. Monday to Friday, with a warning in the log.

``WorkCalendar.load()`` reads the entered years in one query; the calendar is then passed
down (outreach.planner and its callers take it as ``calendar=``) and answers every day without
touching the database. A run loads it afresh, so an admin's entry counts at the next run of
every process (web, worker, beat), with no restart and no cache to expire.
"""

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar
from chinese_calendar import constants

logger = logging.getLogger(__name__)

# The years the installed package has data for (it refuses any other year).
PACKAGE_YEARS = range(
    min(day.year for day in constants.holidays), max(day.year for day in constants.holidays) + 1
)


@dataclass(frozen=True)
class WorkCalendar:
    """Official working days. ``entered`` maps an entered year to its listed days, each
    ``True`` for a make-up working day and ``False`` for a holiday. ``WorkCalendar()``, with
    nothing entered, is the package with the Monday–Friday fallback."""

    entered: Mapping[int, Mapping[datetime.date, bool]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @classmethod
    def load(cls) -> "WorkCalendar":
        """The calendar with every year entered in the database (one query)."""
        from registry.models import HolidayDay, HolidayYear

        entered: dict[int, dict[datetime.date, bool]] = {}
        # A LEFT JOIN: a year entered without days (not written by the services) still counts.
        for year, day, kind in HolidayYear.objects.values_list("year", "days__date", "days__kind"):
            days = entered.setdefault(year, {})
            if day is not None:
                days[day] = kind == HolidayDay.Kind.WORKDAY
        return cls(
            entered=MappingProxyType(
                {year: MappingProxyType(days) for year, days in entered.items()}
            )
        )

    def is_workday(self, day: datetime.date) -> bool:
        """A working day by the State Council's calendar: weekends and public holidays are
        off, the make-up working days (调休) count."""
        days = self.entered.get(day.year)
        if days is not None:
            listed = days.get(day)
            return listed if listed is not None else day.weekday() < 5
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        _warn_no_calendar(day.year)
        return day.weekday() < 5

    def source(self, year: int) -> str:
        """Where the year's days come from: ``entered``, ``package`` or ``weekdays``."""
        if year in self.entered:
            return "entered"
        return "package" if year in PACKAGE_YEARS else "weekdays"

    def covers(self, year: int) -> bool:
        """Whether the year's holidays are known (entered, or in the package)."""
        return self.source(year) != "weekdays"

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """Those of ``years`` whose holidays are not known, in order."""
        return sorted({year for year in years if not self.covers(year)})


def years_to_check(today: datetime.date) -> list[int]:
    """The years whose holidays should be known by ``today``: this year, and from 1 November
    (the notice for the next year comes out in November) the next one too."""
    return [today.year, today.year + 1] if today.month >= 11 else [today.year]


@lru_cache(maxsize=64)
def _warn_no_calendar(year: int) -> None:
    # Once per year and process: a log line, not a decision, so a process-wide cache is fine.
    logger.warning(
        "No holidays for %s: neither entered by an admin (/holidays/) nor in the "
        "chinesecalendar package. Counting Monday-Friday as working days.",
        year,
    )
