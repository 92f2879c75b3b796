"""The light as a pure function of the attempt history: no database, no broker."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from monitoring.light import NEVER_CONTACTED, Attempt, Light, light_for, replay, step

T0 = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)


def _history(*outcomes: bool) -> list[Attempt]:
    return [Attempt(at=T0 + timedelta(days=i), reached=ok) for i, ok in enumerate(outcomes)]


def test_an_enterprise_never_contacted_is_green():
    health, changes = replay([])
    assert health == NEVER_CONTACTED
    assert health.light == Light.GREEN and changes == []


def test_one_failure_stays_green():
    health, changes = replay(_history(False))
    assert (health.light, health.consecutive_failures, changes) == (Light.GREEN, 1, [])


def test_it_turns_yellow_after_two_failures_and_red_after_three():
    attempts = _history(False, False, False, False)
    health, changes = replay(attempts)
    assert health.light == Light.RED
    assert health.consecutive_failures == 4
    assert [(c.from_light, c.to_light) for c in changes] == [
        (Light.GREEN, Light.YELLOW),
        (Light.YELLOW, Light.RED),
    ]
    assert health.light_since == attempts[2].at  # red since the third failure, not the fourth
    assert changes[1].consecutive_failures == 3


def test_a_success_resets_the_count_and_returns_to_green():
    attempts = _history(False, False, False, True)
    health, changes = replay(attempts)
    assert health.light == Light.GREEN
    assert health.consecutive_failures == 0
    assert health.last_success_at == health.last_attempt_at == attempts[3].at
    assert changes[-1].from_light == Light.RED and changes[-1].to_light == Light.GREEN
    assert changes[-1].attempt == attempts[3]


def test_failures_before_a_success_do_not_count_after_it():
    health, _changes = replay(_history(False, False, True, False))
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)


def test_an_attempt_logged_late_counts_where_it_happened():
    on_time = _history(False, False)  # days 0 and 1: yellow
    late_success = Attempt(at=T0 - timedelta(days=1), reached=True)  # before both
    health, _changes = replay([*on_time, late_success])
    assert health.light == Light.YELLOW
    assert health.last_success_at == late_success.at
    assert health.last_attempt_at == on_time[-1].at


def test_only_a_change_of_colour_is_a_change():
    red, _changes = replay(_history(False, False, False))
    still_red, change = step(red, Attempt(T0 + timedelta(days=9), reached=False))
    assert change is None
    assert still_red.consecutive_failures == 4
    assert still_red.light_since == red.light_since
    _green, nothing = step(NEVER_CONTACTED, Attempt(T0, reached=True))
    assert nothing is None


def test_the_thresholds_of_domain_md():
    assert [light_for(n) for n in range(5)] == [
        Light.GREEN,
        Light.GREEN,
        Light.YELLOW,
        Light.RED,
        Light.RED,
    ]


@given(st.lists(st.booleans(), max_size=30))
def test_the_light_always_follows_the_failures_since_the_last_success(outcomes):
    health, changes = replay(_history(*outcomes))
    trailing = len(outcomes) - (
        max(i for i, ok in enumerate(outcomes) if ok) + 1 if any(outcomes) else 0
    )
    assert health.consecutive_failures == trailing
    assert health.light == light_for(trailing)
    # Every change leads from where the previous one left off.
    lights = [Light.GREEN] + [c.to_light for c in changes]
    assert all(c.from_light == lights[i] for i, c in enumerate(changes))
    assert lights[-1] == health.light
