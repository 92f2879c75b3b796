"""The reminders' claims (outreach/sql/matters.py) against their ORM reference on a few
matters at several moments: each claims exactly the matters its reference names."""

import datetime

import pytest
from django.db import connection

from outreach.matters.models import Matter
from outreach.matters.services.reminders import OPEN
from outreach.sql import matters as matter_sql

pytestmark = pytest.mark.django_db

CLAIMS = {
    "first_response": matter_sql.first_response_reminders_claim,
    "resolution": matter_sql.resolution_reminders_claim,
    "overdue": matter_sql.overdue_claim,
}


@pytest.mark.parametrize("hours", [1, 3.5, 5, 24 * 4, 24 * 30])
def test_each_claim_takes_the_matters_its_reference_names(intake, complaint, worker_a, hours):
    first = intake(category=complaint, disposition="routed", owner=worker_a)
    intake(disposition="routed", owner=worker_a)
    intake(category=complaint, disposition="answered", answer="已答复")
    now = first.received_at + datetime.timedelta(hours=hours)
    expected = {
        name: set(matters.values_list("pk", flat=True))
        for name, matters in matter_sql.claims_reference(open_states=list(OPEN), now=now).items()
    }
    with connection.cursor() as cursor:
        claimed = {
            name: {row[0] for row in claim(cursor, open_states=list(OPEN), now=now)}
            for name, claim in CLAIMS.items()
        }
    assert claimed == expected
    assert Matter.objects.count() == 3


def test_the_claims_claim_something_over_a_month(intake, complaint, worker_a):
    first = intake(category=complaint, disposition="routed", owner=worker_a)
    now = first.received_at + datetime.timedelta(days=30)
    found = matter_sql.claims_reference(open_states=list(OPEN), now=now)
    assert all(matters.exists() for matters in found.values())


@pytest.mark.parametrize("hours", [5, 24 * 30])
def test_the_overdue_claim_says_which_limit_passed(intake, complaint, worker_a, hours):
    """The claim's fifth column is the one home of "which limit": the first response when it
    is still missing past its due time, else the resolution; as the ORM reference says."""
    late = intake(category=complaint, disposition="routed", owner=worker_a)
    responded = intake(category=complaint, disposition="routed", owner=worker_a)
    Matter.objects.filter(pk=responded.pk).update(first_response_at=responded.received_at)
    now = late.received_at + datetime.timedelta(hours=hours)
    expected = matter_sql.overdue_limits_reference(open_states=list(OPEN), now=now)
    with connection.cursor() as cursor:
        claimed = {
            row[0]: row[4]
            for row in matter_sql.overdue_claim(cursor, open_states=list(OPEN), now=now)
        }
    assert claimed == expected
    assert claimed[late.pk] == matter_sql.RESPONSE
    assert claimed.get(responded.pk, matter_sql.RESOLUTION) == matter_sql.RESOLUTION


def test_the_notices_take_the_limit_from_the_claim(django_assert_num_queries):
    from outreach.matters.services.reminder_notices import notices_for

    with django_assert_num_queries(0):  # no second look at which limit passed
        notices = notices_for(
            response=[],
            resolution=[],
            overdue=[
                (1, 10, None, "routed", matter_sql.RESPONSE),
                (2, 10, None, "routed", "resolution"),
            ],
            leads={1: 20, 2: None},
        )
    assert [(n.matter_id, n.user_id, n.limit, n.as_lead) for n in notices] == [
        (1, 10, matter_sql.RESPONSE, False),
        (1, 20, matter_sql.RESPONSE, True),
        (2, 10, matter_sql.RESOLUTION, False),
    ]
