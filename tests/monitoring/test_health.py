"""The stored light follows the contact log in the attempt's own transaction, with its
transitions and the tasks they open and close."""

import datetime

import pytest
from django.db import transaction

from core.errors import ServiceError
from monitoring.light import Light
from monitoring.models import ContactHealth, LightChange
from monitoring.services import health_pause, health_resume
from outreach.models import ContactAttempt, Task
from tests.monitoring.conftest import FAILED, PHONE, REACHED, TODAY, VISIT, log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _health(enterprise) -> ContactHealth:
    return ContactHealth.objects.get(enterprise=enterprise)


def _open_kinds(enterprise) -> set[str]:
    return set(
        Task.objects.filter(enterprise=enterprise, status=Task.Status.OPEN).values_list(
            "kind", flat=True
        )
    )


def test_one_failure_stays_green_and_counts(enterprise_a, staff_user):
    log(enterprise_a, by=staff_user)
    health = _health(enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)
    assert not LightChange.objects.exists()


def test_it_turns_yellow_after_two_failures_and_opens_a_recheck_by_another_channel(
    enterprise_a, staff_user, worker_a
):
    log(enterprise_a, by=staff_user)
    second = log(enterprise_a, by=staff_user)
    health = _health(enterprise_a)
    assert health.light == Light.YELLOW
    assert health.light_since == second.occurred_at
    change = LightChange.objects.get()
    assert (change.from_light, change.to_light, change.attempt) == (
        Light.GREEN,
        Light.YELLOW,
        second,
    )
    recheck = Task.objects.get(enterprise=enterprise_a, kind=Task.Kind.RECHECK_CALL)
    assert recheck.is_open and recheck.assignee == worker_a
    assert recheck.suggested_channel == ContactAttempt.Channel.WECHAT  # the phone failed


def test_it_turns_red_after_three_failures_and_opens_an_onsite_verification(
    enterprise_a, staff_user
):
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    health = _health(enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.RED, 3)
    assert Task.Kind.ONSITE_VERIFICATION in _open_kinds(enterprise_a)
    assert [c.to_light for c in LightChange.objects.order_by("at", "id")] == [
        Light.YELLOW,
        Light.RED,
    ]
    # A fourth failure keeps it red: no new change, no second on-site task.
    log(enterprise_a, by=staff_user)
    assert LightChange.objects.count() == 2
    assert Task.objects.filter(kind=Task.Kind.ONSITE_VERIFICATION).count() == 1
    assert _health(enterprise_a).consecutive_failures == 4


def test_a_success_returns_to_green_and_closes_the_escalations(enterprise_a, staff_user):
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    log(enterprise_a, by=staff_user, channel=ContactAttempt.Channel.WECHAT)  # wechat: still red
    reached = log(enterprise_a, REACHED, by=staff_user)
    health = _health(enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 0)
    assert health.last_success_at == reached.occurred_at
    assert not _open_kinds(enterprise_a) & {
        Task.Kind.RECHECK_CALL,
        Task.Kind.ONSITE_VERIFICATION,
    }
    onsite = Task.objects.get(kind=Task.Kind.ONSITE_VERIFICATION)
    assert onsite.closed_by_attempt == reached
    assert LightChange.objects.order_by("-at", "-id").first().to_light == Light.GREEN


def test_a_success_from_green_is_no_change(enterprise_a, staff_user):
    log(enterprise_a, REACHED, by=staff_user)
    assert _health(enterprise_a).light == Light.GREEN
    assert not LightChange.objects.exists()


def test_an_attempt_logged_late_recomputes_from_the_history(enterprise_a, staff_user):
    log(enterprise_a, by=staff_user, hours_ago=2)
    log(enterprise_a, by=staff_user, hours_ago=1)
    assert _health(enterprise_a).light == Light.YELLOW
    # A success logged late, between the two failures: one failure since it, green again.
    late = log(enterprise_a, REACHED, by=staff_user, hours_ago=1.5)
    health = _health(enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)
    assert health.last_success_at == late.occurred_at
    change = LightChange.objects.order_by("-id").first()
    assert (change.to_light, change.reason) == (Light.GREEN, LightChange.Reason.LATE_ATTEMPT)


def test_a_history_written_in_bulk_is_replayed_on_the_next_attempt(enterprise_a, staff_user):
    now = datetime.datetime.now(datetime.UTC)
    ContactAttempt.objects.bulk_create(
        ContactAttempt(
            enterprise=enterprise_a,
            channel=PHONE,
            outcome=FAILED,
            occurred_at=now - datetime.timedelta(days=days),
        )
        for days in (3, 2)
    )
    log(enterprise_a, by=staff_user)
    assert _health(enterprise_a).consecutive_failures == 3
    assert _health(enterprise_a).light == Light.RED


def test_the_light_changes_with_the_attempt_or_not_at_all(enterprise_a, staff_user):
    log(enterprise_a, by=staff_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        log(enterprise_a, by=staff_user)
        assert _health(enterprise_a).light == Light.YELLOW
        raise RuntimeError("the request failed after the attempt")
    health = _health(enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)
    assert not Task.objects.filter(kind=Task.Kind.RECHECK_CALL).exists()


def test_a_paused_enterprise_counts_failures_but_does_not_escalate(enterprise_a, staff_user):
    health_pause(
        enterprise=enterprise_a,
        until=TODAY + datetime.timedelta(days=30),
        reason=ContactHealth.PauseReason.SUSPENDED,
        by=staff_user,
    )
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    health = _health(enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 3)
    assert not _open_kinds(enterprise_a)
    assert not LightChange.objects.exists()


def test_ending_a_pause_catches_the_light_up(enterprise_a, staff_user):
    health_pause(
        enterprise=enterprise_a,
        until=TODAY,
        reason=ContactHealth.PauseReason.DEREGISTERING,
        by=staff_user,
    )
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    health_resume(enterprise=enterprise_a, by=staff_user)
    health = _health(enterprise_a)
    assert (health.light, health.paused_until) == (Light.RED, None)
    change = LightChange.objects.get()
    assert change.reason == LightChange.Reason.PAUSE_ENDED
    assert Task.Kind.ONSITE_VERIFICATION in _open_kinds(enterprise_a)


def test_a_pause_needs_an_end_date_in_the_future_within_a_year(enterprise_a, staff_user):
    with pytest.raises(ServiceError) as past:
        health_pause(
            enterprise=enterprise_a,
            until=TODAY - datetime.timedelta(days=1),
            reason=ContactHealth.PauseReason.SUSPENDED,
        )
    assert past.value.field == "until"
    with pytest.raises(ServiceError):
        health_pause(
            enterprise=enterprise_a,
            until=TODAY + datetime.timedelta(days=400),
            reason=ContactHealth.PauseReason.SUSPENDED,
        )


def test_a_visit_answers_the_onsite_task_even_when_it_fails(enterprise_a, staff_user):
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    log(enterprise_a, by=staff_user, channel=VISIT)
    assert Task.Kind.ONSITE_VERIFICATION not in _open_kinds(enterprise_a)
    assert _health(enterprise_a).light == Light.RED
