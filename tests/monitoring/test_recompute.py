"""The set-based recompute agrees with the pure light function, attempt for attempt."""

import datetime
import random

import pytest

from monitoring.light import Attempt, Light, replay
from monitoring.models import ContactHealth, LightChange
from monitoring.services import health_recompute_all
from outreach.models import ContactAttempt, Task
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
OUTCOMES = [o for o, _label in ContactAttempt.Outcome.choices]


def test_the_recompute_matches_replay_for_every_history(grid_a, worker_a):
    rng = random.Random(7)
    expected = {}
    attempts = []
    for _ in range(40):
        enterprise = EnterpriseFactory(grid=grid_a)
        history = []
        for _ in range(rng.randint(1, 8)):
            # Same-moment attempts too: ties are ordered by id, as replay keeps their order.
            at = T0 + datetime.timedelta(hours=rng.randint(0, 30))
            outcome = rng.choice(OUTCOMES + ["no_answer"] * 4)
            history.append((at, outcome))
            attempts.append(
                ContactAttempt(
                    enterprise=enterprise, channel="phone", outcome=outcome, occurred_at=at
                )
            )
        expected[enterprise.pk] = history
    ContactAttempt.objects.bulk_create(attempts)

    result = health_recompute_all()
    # A welcome sent (Outcome.uncounted) is no attempt for the light: an enterprise with
    # nothing else has no light yet.
    uncounted = ContactAttempt.Outcome.uncounted()
    expected = {
        pk: [(at, outcome) for at, outcome in history if outcome not in uncounted]
        for pk, history in expected.items()
    }
    expected = {pk: history for pk, history in expected.items() if history}
    assert result.enterprises == len(expected)
    stored = {h.enterprise_id: h for h in ContactHealth.objects.all()}
    for pk, history in expected.items():
        ordered = [Attempt(at=at, reached=outcome == "reached") for at, outcome in history]
        health, _changes = replay(ordered)
        row = stored[pk]
        assert (row.light, row.consecutive_failures) == (health.light, health.consecutive_failures)
        assert row.last_attempt_at == health.last_attempt_at
        assert row.last_success_at == health.last_success_at
        if health.light != Light.GREEN:
            assert row.light_since == health.light_since
    reds = {pk for pk, row in stored.items() if row.light == Light.RED}
    yellows = {pk for pk, row in stored.items() if row.light == Light.YELLOW}
    assert reds and yellows
    onsite = Task.objects.filter(kind=Task.Kind.ONSITE_VERIFICATION, status="open")
    assert set(onsite.values_list("enterprise_id", flat=True)) == reds
    assert onsite.filter(assignee=worker_a).count() == len(reds)
    recheck = Task.objects.filter(kind=Task.Kind.RECHECK_CALL, status="open")
    assert set(recheck.values_list("enterprise_id", flat=True)) == yellows
    assert LightChange.objects.count() == len(reds) + len(yellows) == result.changed


def test_a_second_recompute_changes_nothing(enterprise_a):
    ContactAttempt.objects.bulk_create(
        ContactAttempt(
            enterprise=enterprise_a,
            channel="phone",
            outcome="no_answer",
            occurred_at=T0 + datetime.timedelta(days=i),
        )
        for i in range(3)
    )
    assert health_recompute_all().changed == 1
    assert health_recompute_all().changed == 0
    assert LightChange.objects.count() == 1
    assert Task.objects.filter(kind=Task.Kind.ONSITE_VERIFICATION).count() == 1
