"""Retention reaches the door: what a walk-in typed about themselves (name, mobile) is erased
when they were matched to a liaison the run erases, or when they were never matched and are
past the period; a recent walk-in and the enterprise name given stay."""

import datetime

import pytest

from outreach.events.door_models import EventAttendance
from outreach.events.models import Event
from outreach.events.services import event_create
from registry import clock
from registry.models import Liaison
from registry.retention import retention_run
from tests.registry.test_retention import LEFT, park  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _walk_in(event, *, mobile, at, liaison=None):
    return EventAttendance.objects.create(
        event=event,
        how=EventAttendance.How.WALK_IN,
        walk_in_name="某某",
        walk_in_mobile=mobile,
        walk_in_enterprise="某公司",
        checked_in_at=at,
        liaison=liaison,
        enterprise=liaison.enterprise if liaison else None,
        resolution="matched" if liaison else "",
    )


def test_walk_ins_of_erased_people_and_past_the_period_are_erased(park, staff_user):  # noqa: F811
    now = clock.now()
    event = event_create(
        by=staff_user, kind=Event.Kind.SALON, topic="法律沙龙", starts_at=now, place="会议室"
    )
    left = Liaison.objects.get(enterprise=park["left"], mobile=LEFT["mobile"])
    matched = _walk_in(event, mobile="13700000001", at=now, liaison=left)
    long_ago = _walk_in(event, mobile="13700000002", at=now - datetime.timedelta(days=3650))
    recent = _walk_in(event, mobile="13700000003", at=now)

    counts = retention_run(now=now)

    for row in (matched, long_ago, recent):
        row.refresh_from_db()
    assert (matched.walk_in_name, matched.walk_in_mobile) == ("", "")
    assert (long_ago.walk_in_name, long_ago.walk_in_mobile, long_ago.walk_in_enterprise) == (
        "",
        "",
        "某公司",
    )
    assert (recent.walk_in_name, recent.walk_in_mobile) == ("某某", "13700000003")
    assert counts["event_walk_ins"] == 2
