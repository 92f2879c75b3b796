"""The rules of a year of error-free upkeep, their reasons as people read them, and the
periods a year is cut into. The rules themselves run set-based in outreach.sql.recognition
(its ORM twin, ``proposal_reference``, is held equal by tests/outreach/test_sql.py)."""

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from outreach.models import ContactAttempt
from outreach.planner import PERIOD_MONTHS
from registry import clock

PARTIAL_YEAR = "partial_year"
UNVERIFIED_PERIOD = "unverified_period"
FAILED_STREAK = "failed_streak"
STAFF_CORRECTION = "staff_correction"
UNREPORTED_CHANGE = "unreported_change"
NO_EVENT = "no_event"

# In the order the page lists them.
REASONS = {
    PARTIAL_YEAR: _("Did not hold the role for the whole year"),
    UNVERIFIED_PERIOD: _("Not verified in every contact period of the tier"),
    FAILED_STREAK: _("Two or more failed contacts in a row"),
    STAFF_CORRECTION: _("Details corrected by staff"),
    UNREPORTED_CHANGE: _("A change found by the park, not reported by the liaison"),
    NO_EVENT: _("Attended no event"),
}

# A failed-contact streak: this many failed occasions in a row (the light is monitoring's,
# a higher app; the contact log's attempts are outreach's own evidence).
STREAK = 2
# Outcomes that say the liaison's details were out of date: a change the liaison did not
# report themselves (within the 30 days the registration rules give) was found by the park.
STALE_OUTCOMES = (
    ContactAttempt.Outcome.NOT_IN_SERVICE.value,
    ContactAttempt.Outcome.WRONG_PERSON.value,
    ContactAttempt.Outcome.LEFT.value,
    ContactAttempt.Outcome.BOUNCED.value,
)
# The fields whose change by a staff door is a correction (not a verification stamp).
CORRECTED_FIELDS = ("name", "position", "mobile", "landline", "email", "wechat", "id_number")


def require_event() -> bool:
    """RECOGNITION_REQUIRE_EVENT (default off until events exist): at least one event
    attended in the year is a rule too."""
    return bool(getattr(settings, "RECOGNITION_REQUIRE_EVENT", False))


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year as instants in the park's time zone: [1 January, next 1 January)."""
    return (
        clock.start_of_day(datetime.date(year, 1, 1)),
        clock.start_of_day(datetime.date(year + 1, 1, 1)),
    )


def periods(year: int) -> list[tuple[int, datetime.datetime, datetime.datetime]]:
    """Every (period length in months, start, end) of the year for every length a tier's
    policy may have: periods run from 1 January (outreach.planner)."""
    rows = []
    for months in PERIOD_MONTHS:
        for first in range(1, 13, months):
            start = datetime.date(year, first, 1)
            end = clock.add_months(start, months)
            rows.append((months, clock.start_of_day(start), clock.start_of_day(end)))
    return rows
