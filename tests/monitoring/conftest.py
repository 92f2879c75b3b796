"""Monitoring tests run on a fixed day: Tuesday 24 November 2026, 10:00 in Shanghai."""

import datetime
import zoneinfo

import pytest
import time_machine

from outreach.models import ContactAttempt
from outreach.services import contact_attempt_record

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 24)
NOW = datetime.datetime.combine(TODAY, datetime.time(10, 0), tzinfo=SHANGHAI)

FAILED = ContactAttempt.Outcome.NO_ANSWER
REACHED = ContactAttempt.Outcome.REACHED
PHONE = ContactAttempt.Channel.PHONE
VISIT = ContactAttempt.Channel.VISIT


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def log(enterprise, outcome=FAILED, channel=PHONE, *, by=None, hours_ago=None):
    """Log one attempt through outreach's service, as every door does."""
    occurred_at = None if hours_ago is None else NOW - datetime.timedelta(hours=hours_ago)
    return contact_attempt_record(
        enterprise=enterprise, channel=channel, outcome=outcome, by=by, occurred_at=occurred_at
    )


@pytest.fixture
def api():
    """api(user) -> a DRF client sending that user's token."""
    from tests.registry.api.conftest import token_client

    return token_client
