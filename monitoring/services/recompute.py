"""Every enterprise's light recomputed from the whole contact log, set-based (the statements:
monitoring.sql.recompute).

For histories written without the signal (seed_demo, a bulk import of past contacts) and as
a repair. The same rules as monitoring.light, in SQL: failed occasions after the last success
(ordered by time, then id, as ``replay`` orders them; redials within the window are one),
yellow from the 2nd, red from the 3rd.
A light that changes is recorded (reason "recompute") and opens or closes the escalation
tasks as an attempt would; a paused enterprise does not escalate.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from monitoring.kinds import PROCEDURE_STEPS
from monitoring.light import RED_AT, YELLOW_AT, Light
from monitoring.services.health import ONSITE_DUE_DAYS, RECHECK_DUE_DAYS, occasion_window
from monitoring.sql import recompute as sql
from outreach.models import ContactAttempt, Task
from outreach.sql.tasks import tasks_close_joined, tasks_open_where
from registry import clock


@dataclass(frozen=True)
class RecomputeResult:
    enterprises: int
    changed: int


def light_params(*, today: datetime.date, window: datetime.timedelta) -> dict:
    """The light's rule as ``monitoring.sql.recompute.compute`` takes it: the outcomes that
    succeed and those it leaves out, the thresholds, the occasion window, the day."""
    return {
        "successes": sorted(ContactAttempt.Outcome.successes()),
        "uncounted": sorted(ContactAttempt.Outcome.uncounted()),
        "yellow_at": YELLOW_AT,
        "red_at": RED_AT,
        "window": window,
        "today": today,
    }


def health_recompute_all(*, now: datetime.datetime | None = None) -> RecomputeResult:
    """Recompute every enterprise's light from its contact history, in one transaction.

    Holds the health table in EXCLUSIVE mode: attempts logged meanwhile wait at their
    ``select_for_update`` of the health row and step on from the recomputed state, so none
    is lost or counted twice. ``now`` (default: the one clock) stamps the changes of light, a
    light's start where no attempt dates it, and the tasks it closes.
    """
    now = now or clock.now()
    today = clock.today(now)
    params = light_params(today=today, window=occasion_window())
    with (
        translation.override(settings.LANGUAGE_CODE),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        sql.health_lock(cursor)
        enterprises = sql.compute(cursor, params)
        changed = sql.changes_record(cursor, now=now)
        sql.health_store(cursor, now=now)
        _escalate(cursor, today=today, now=now)
        _calm(cursor, now=now)
    return RecomputeResult(enterprises=enterprises, changed=changed)


def _escalate(cursor, *, today: datetime.date, now: datetime.datetime) -> None:
    """Open the escalation task of each light that turned yellow or red, as an attempt would
    (a paused enterprise kept its light, so it opens none)."""
    for light, kind, channel, days, note in (
        (
            Light.YELLOW,
            Task.Kind.RECHECK_CALL,
            ContactAttempt.Channel.WECHAT,
            RECHECK_DUE_DAYS,
            _("Two contacts in a row failed: re-check through another channel."),
        ),
        (
            Light.RED,
            Task.Kind.ONSITE_VERIFICATION,
            ContactAttempt.Channel.VISIT,
            ONSITE_DUE_DAYS,
            _("Three or more contacts in a row failed: verify on site."),
        ),
    ):
        tasks_open_where(
            cursor,
            kind=kind,
            holds=sql.turned(light),
            params={},
            note=note,
            channel=channel,
            due_on=today + datetime.timedelta(days=days),
            now=now,
        )


def _calm(cursor, *, now: datetime.datetime) -> None:
    """Back to green: close the escalation and procedure tasks and end the open emergency
    procedure ("reached")."""
    source, condition = sql.BACK_TO_GREEN
    tasks_close_joined(
        cursor,
        kinds=[Task.Kind.RECHECK_CALL, Task.Kind.ONSITE_VERIFICATION, *PROCEDURE_STEPS.values()],
        source=source,
        condition=condition,
        enterprise="r.enterprise_id",
        now=now,
        note=_("The liaison was reached: back to green."),
    )
    sql.procedures_reached(cursor, now=now)
