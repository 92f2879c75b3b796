"""The red / yellow / green light (红黄绿灯预警) as a pure function of the contact history.

A failed attempt is one where the liaison was not reached; any success (a call that got
through, the liaison confirming through self-service) resets the count. From domain.md:
0–1 consecutive failures is green, 2 is yellow (start a re-check call), 3 or more is red
(start an on-site verification). Nothing here touches the database: the monitor stores what
these functions return, and recomputes it from the history when an attempt arrives late.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

YELLOW_AT = 2
RED_AT = 3


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


@dataclass(frozen=True)
class Health:
    """An enterprise's contact health after some history."""

    consecutive_failures: int = 0
    light: Light = Light.GREEN
    # When the present light began; None for an enterprise green since it was registered.
    light_since: datetime | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None


@dataclass(frozen=True)
class Change:
    """One change of light, caused by one attempt."""

    from_light: Light
    to_light: Light
    at: datetime
    attempt: Attempt
    consecutive_failures: int


NEVER_CONTACTED = Health()


def step(health: Health, attempt: Attempt) -> tuple[Health, Change | None]:
    """The health after one more attempt, later than every attempt already in `health`."""
    failures = 0 if attempt.reached else health.consecutive_failures + 1
    light = light_for(failures)
    after = replace(
        health,
        consecutive_failures=failures,
        light=light,
        last_attempt_at=attempt.at,
        last_success_at=attempt.at if attempt.reached else health.last_success_at,
    )
    if light == health.light:
        return after, None
    change = Change(health.light, light, attempt.at, attempt, failures)
    return replace(after, light_since=attempt.at), change


def replay(attempts: Iterable[Attempt]) -> tuple[Health, list[Change]]:
    """The health after the whole history, and every change of light on the way.

    Attempts are taken in time order whatever order they come in (one logged late, with an
    earlier time, counts where it happened); attempts at the same moment keep their order.
    """
    health, changes = NEVER_CONTACTED, []
    for attempt in sorted(attempts, key=lambda a: a.at):
        health, change = step(health, attempt)
        if change is not None:
            changes.append(change)
    return health, changes
