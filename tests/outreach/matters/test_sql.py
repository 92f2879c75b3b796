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
