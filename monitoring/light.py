"""The red / yellow / green light (红黄绿灯预警) as a pure function of the contact history.

A failed attempt is one where the liaison was not reached; any success (a call that got
through, the liaison confirming through self-service) resets the count. From domain.md:
0–1 consecutive failures is green, 2 is yellow (start a re-check call), 3 or more is red
(start an on-site verification). Nothing here touches the database: the monitor stores what
these functions return, and recomputes it from the history when an attempt arrives late.

The count is of failed *occasions*, not attempts (issue 19: three failed calls within two
minutes turned a firm red). A failure on a channel less than ``window`` after the start of the
present occasion on that channel is a redial of it: logged, but not counted again. The window
is anchored at the occasion's first failure, so redials every few hours still add up; another
channel is another occasion. ``window`` zero (the default here) counts every failure; the
services pass the park's setting (``MONITOR_OCCASION_WINDOW_HOURS``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

YELLOW_AT = 2
RED_AT = 3
EVERY_FAILURE = timedelta(0)


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


def light_for(consecutive_failures: int) -> Light:
    if consecutive_failures >= RED_AT:
        return Light.RED
    if consecutive_failures >= YELLOW_AT:
        return Light.YELLOW
    return Light.GREEN


@dataclass(frozen=True)
class Attempt:
    """What the light needs of a contact attempt."""

    at: datetime
    reached: bool
    channel: str = ""


@dataclass(frozen=True)
class Health:
    """An enterprise's contact health after some history."""

    consecutive_failures: int = 0
    light: Light = Light.GREEN
    # When the present light began; None for an enterprise green since it was registered.
    light_since: datetime | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    # Since the last success: when the present occasion began on each channel, as sorted
    # (channel, start) pairs. A failure before start + window on that channel is a redial.
    occasions: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True)
class Change:
    """One change of light, caused by one attempt."""

    from_light: Light
    to_light: Light
    at: datetime
    attempt: Attempt
    consecutive_failures: int


NEVER_CONTACTED = Health()


def is_redial(health: Health, attempt: Attempt, window: timedelta) -> bool:
    """A failure within ``window`` of the start of the present occasion on its channel."""
    start = dict(health.occasions).get(attempt.channel)
    return not attempt.reached and start is not None and attempt.at < start + window


def step(
    health: Health, attempt: Attempt, *, window: timedelta = EVERY_FAILURE
) -> tuple[Health, Change | None]:
    """The health after one more attempt, later than every attempt already in `health`."""
    if attempt.reached:
        failures, occasions = 0, ()
    elif is_redial(health, attempt, window):
        failures, occasions = health.consecutive_failures, health.occasions
    else:
        failures = health.consecutive_failures + 1
        occasions = tuple(sorted({**dict(health.occasions), attempt.channel: attempt.at}.items()))
    light = light_for(failures)
    after = replace(
        health,
        consecutive_failures=failures,
        light=light,
        last_attempt_at=attempt.at,
        last_success_at=attempt.at if attempt.reached else health.last_success_at,
        occasions=occasions,
    )
    if light == health.light:
        return after, None
    change = Change(health.light, light, attempt.at, attempt, failures)
    return replace(after, light_since=attempt.at), change


def replay(
    attempts: Iterable[Attempt], *, window: timedelta = EVERY_FAILURE
) -> tuple[Health, list[Change]]:
    """The health after the whole history, and every change of light on the way.

    Attempts are taken in time order whatever order they come in (one logged late, with an
    earlier time, counts where it happened); attempts at the same moment keep their order.
    """
    health, changes = NEVER_CONTACTED, []
    for attempt in sorted(attempts, key=lambda a: a.at):
        health, change = step(health, attempt, window=window)
        if change is not None:
            changes.append(change)
    return health, changes
