"""Occasions, not redials (issue 19): failed attempts on one channel within the window of the
occasion's first failure count once for the light; the contact log keeps every attempt."""

import datetime

import pytest

from monitoring.light import Attempt, Light, replay
from monitoring.models import ContactHealth, LightChange
from monitoring.services import health_recompute_all
from outreach.models import ContactAttempt, Task
from tests.factories import EnterpriseFactory
from tests.monitoring.conftest import FAILED, NOW, PHONE, REACHED, log

WECHAT = ContactAttempt.Channel.WECHAT
WINDOW = datetime.timedelta(hours=4)


def _calls(*minutes: int, channel: str = PHONE, reached: bool = False) -> list[Attempt]:
    return [
        Attempt(at=NOW + datetime.timedelta(minutes=m), reached=reached, channel=channel)
        for m in minutes
    ]


def test_three_failed_calls_within_two_minutes_are_one_occasion():
    health, changes = replay(_calls(0, 1, 2), window=WINDOW)
    assert (health.light, health.consecutive_failures, changes) == (Light.GREEN, 1, [])


def test_a_failure_once_the_window_has_passed_is_a_new_occasion():
    inside, _changes = replay(_calls(0, 239), window=WINDOW)
    outside, changes = replay(_calls(0, 240), window=WINDOW)
    assert inside.light == Light.GREEN and outside.light == Light.YELLOW
    assert changes[0].at == NOW + datetime.timedelta(minutes=240)


def test_the_window_is_anchored_so_redials_every_few_hours_still_add_up():
    # 0 starts, 3 h is its redial, 6 h starts the second (6 ≥ 0 + 4), 9 h its redial,
    # 12 h the third.
    health, _changes = replay(_calls(0, 180, 360, 540, 720), window=WINDOW)
    assert (health.light, health.consecutive_failures) == (Light.RED, 3)


def test_another_channel_is_another_occasion():
    health, _changes = replay([*_calls(0), *_calls(5, channel=WECHAT)], window=WINDOW)
    assert (health.light, health.consecutive_failures) == (Light.YELLOW, 2)


def test_a_success_ends_the_occasion_so_the_next_failure_counts():
    attempts = [*_calls(0), *_calls(1, reached=True), *_calls(2)]
    health, _changes = replay(attempts, window=WINDOW)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)


def test_without_a_window_every_failure_counts():
    health, _changes = replay(_calls(0, 1, 2))
    assert (health.light, health.consecutive_failures) == (Light.RED, 3)


@pytest.fixture
def window(settings):
    settings.MONITOR_OCCASION_WINDOW_HOURS = 4


@pytest.mark.django_db
@pytest.mark.usefixtures("clock", "window")
class TestTheStoredLight:
    def test_redials_are_logged_but_leave_the_firm_green(self, enterprise_a, staff_user):
        for minutes in (6, 5, 4):
            log(enterprise_a, by=staff_user, hours_ago=minutes / 60)
        health = ContactHealth.objects.get(enterprise=enterprise_a)
        assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)
        assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 3
        assert not Task.objects.filter(enterprise=enterprise_a, kind=Task.Kind.RECHECK_CALL)

    def test_occasions_hours_apart_turn_it_yellow_then_red(self, enterprise_a, staff_user):
        log(enterprise_a, by=staff_user, hours_ago=10)
        log(enterprise_a, by=staff_user, hours_ago=9.9)  # a redial
        log(enterprise_a, by=staff_user, hours_ago=5)
        assert ContactHealth.objects.get(enterprise=enterprise_a).light == Light.YELLOW
        log(enterprise_a, FAILED, WECHAT, by=staff_user, hours_ago=4.9)
        health = ContactHealth.objects.get(enterprise=enterprise_a)
        assert (health.light, health.consecutive_failures) == (Light.RED, 3)
        assert Task.objects.filter(
            enterprise=enterprise_a, kind=Task.Kind.ONSITE_VERIFICATION, status="open"
        ).exists()

    def test_a_redial_logged_late_is_still_one_occasion(self, enterprise_a, staff_user):
        log(enterprise_a, by=staff_user, hours_ago=1)
        log(enterprise_a, by=staff_user, hours_ago=2)  # earlier than the last: replayed
        health = ContactHealth.objects.get(enterprise=enterprise_a)
        assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)

    def test_the_full_recompute_agrees_with_the_light_kept_attempt_by_attempt(
        self, enterprise_a, grid_a, staff_user
    ):
        enterprise_b = EnterpriseFactory(grid=grid_a)
        for hours in (12, 11.95, 11.9, 7, 6.5, 1):
            log(enterprise_a, by=staff_user, hours_ago=hours)
        log(enterprise_b, by=staff_user, hours_ago=3)
        log(enterprise_b, REACHED, by=staff_user, hours_ago=2)
        log(enterprise_b, by=staff_user, hours_ago=1)
        kept = dict(ContactHealth.objects.values_list("enterprise", "consecutive_failures"))
        changes = LightChange.objects.count()
        result = health_recompute_all(now=NOW)
        assert result.changed == 0 and LightChange.objects.count() == changes
        assert kept == dict(ContactHealth.objects.values_list("enterprise", "consecutive_failures"))
        assert kept[enterprise_a.pk] == 3  # 12 h (+ two redials), 7 h (6.5 redial), 1 h
