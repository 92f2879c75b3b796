"""The light of one enterprise, kept in step with its contact log.

``health_record_attempt`` runs inside the transaction of the attempt (outreach's
``attempt_recorded`` signal, monitoring.receivers): the enterprise row is already locked by
outreach (FOR NO KEY UPDATE), so one enterprise's attempts arrive one after another and the
light can never disagree with the log.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from monitoring import light as rules
from monitoring.light import Attempt, Health, Light
from monitoring.models import ContactHealth, LightChange
from outreach.models import ContactAttempt, Task
from outreach.services import task_open, tasks_close_where
from registry import clock
from registry.models import Enterprise

# How soon the escalation tasks are due.
RECHECK_DUE_DAYS = 2
ONSITE_DUE_DAYS = 5
# The tasks a return to green closes (with the attempt that reached the liaison).
ESCALATION_KINDS = (Task.Kind.RECHECK_CALL, Task.Kind.ONSITE_VERIFICATION)
PAUSE_MAX_DAYS = 366


def occasion_window() -> datetime.timedelta:
    """Failures on one channel within this time of an occasion's first are one occasion."""
    return datetime.timedelta(hours=settings.MONITOR_OCCASION_WINDOW_HOURS)


def _as_health(row: ContactHealth, *, attempt: ContactAttempt | None = None) -> Health:
    """The stored health; with a failed ``attempt``, also the present occasion on its channel
    (not stored: replayed from that channel's failures since the last success, a short
    list), which is all ``rules.step`` needs of the occasions to judge it."""
    occasions = ()
    if attempt is not None and not attempt.succeeded and occasion_window():
        earlier = ContactAttempt.objects.filter(
            enterprise_id=row.enterprise_id, channel=attempt.channel
        ).exclude(pk=attempt.pk)
        if row.last_success_at is not None:
            earlier = earlier.filter(occurred_at__gt=row.last_success_at)
        occasions = rules.replay(_attempts(earlier), window=occasion_window())[0].occasions
    return Health(
        consecutive_failures=row.consecutive_failures,
        light=Light(row.light),
        light_since=row.light_since,
        last_success_at=row.last_success_at,
        last_attempt_at=row.last_attempt_at,
        occasions=occasions,
    )


def _as_attempt(attempt: ContactAttempt) -> Attempt:
    return Attempt(at=attempt.occurred_at, reached=attempt.succeeded, channel=attempt.channel)


def _attempts(rows) -> list[Attempt]:
    """The attempts the light counts (a welcome sent reaches and fails nobody), in order."""
    rows = rows.exclude(outcome__in=ContactAttempt.Outcome.uncounted())
    return [
        Attempt(at=at, reached=ContactAttempt.Outcome.is_success(outcome), channel=channel)
        for at, outcome, channel in rows.order_by("occurred_at", "id").values_list(
            "occurred_at", "outcome", "channel"
        )
    ]


def _history(enterprise_id: int) -> list[Attempt]:
    return _attempts(ContactAttempt.objects.filter(enterprise_id=enterprise_id))


def _other_channel(failed: str) -> str:
    """Re-check by another channel than the one that failed (外呼复核)."""
    if failed == ContactAttempt.Channel.PHONE:
        return ContactAttempt.Channel.WECHAT
    return ContactAttempt.Channel.PHONE


def _escalate(enterprise: Enterprise, light: Light, attempt: ContactAttempt | None) -> None:
    today = clock.today()
    if light == Light.YELLOW:
        failed = attempt.channel if attempt else ""
        task_open(
            enterprise=enterprise,
            kind=Task.Kind.RECHECK_CALL,
            source=Task.Source.RULE,
            due_on=today + datetime.timedelta(days=RECHECK_DUE_DAYS),
            suggested_channel=_other_channel(failed),
            note=_("Two contacts in a row failed: re-check through another channel."),
        )
    elif light == Light.RED:
        task_open(
            enterprise=enterprise,
            kind=Task.Kind.ONSITE_VERIFICATION,
            source=Task.Source.RULE,
            due_on=today + datetime.timedelta(days=ONSITE_DUE_DAYS),
            suggested_channel=ContactAttempt.Channel.VISIT,
            note=_("Three or more contacts in a row failed: verify on site."),
        )


def _calm(enterprise: Enterprise, attempt: ContactAttempt | None) -> None:
    """Back to green: the escalations are answered, without alarms."""
    from monitoring.kinds import PROCEDURE_STEPS
    from monitoring.services.procedure import procedures_end_reached

    tasks_close_where(
        tasks=Task.objects.filter(
            enterprise=enterprise, kind__in=[*ESCALATION_KINDS, *PROCEDURE_STEPS.values()]
        ),
        attempt=attempt,
        note=_("The liaison was reached: back to green."),
    )
    procedures_end_reached(enterprise=enterprise, attempt=attempt)


def health_record_attempt(*, attempt: ContactAttempt) -> ContactHealth:
    """Bring the enterprise's light up to date with one more attempt (in its transaction).

    The usual attempt is the latest: one ``step``. One logged late (earlier than the last
    attempt) or the first one the monitor sees of an enterprise with a history (written in
    bulk, without the signal) replays the whole history instead.
    """
    enterprise = attempt.enterprise
    row = ContactHealth.objects.select_for_update().filter(enterprise=enterprise).first()
    today = clock.today()
    if row is not None and (
        row.last_attempt_at is None or attempt.occurred_at >= row.last_attempt_at
    ):
        before = _as_health(row, attempt=attempt)
        after, change = rules.step(before, _as_attempt(attempt), window=occasion_window())
        reason = LightChange.Reason.ATTEMPT
    else:
        reason = LightChange.Reason.ATTEMPT if row is None else LightChange.Reason.LATE_ATTEMPT
        row = row or ContactHealth(enterprise=enterprise)
        before = _as_health(row)
        after, change = _replayed(before, attempt)

    if row.is_paused(today) and change is not None and change.to_light != Light.GREEN:
        # No escalation while paused: the failures are counted, the light holds.
        after, change = _held(before, after), None

    row.consecutive_failures = after.consecutive_failures
    row.light = after.light
    row.light_since = after.light_since if change is None else change.at
    row.last_success_at = after.last_success_at
    row.last_attempt_at = after.last_attempt_at
    row.save()
    if change is not None:
        _light_changed(enterprise, change, reason=reason, attempt=attempt)
    return row


def _replayed(before: Health, attempt: ContactAttempt) -> tuple[Health, rules.Change | None]:
    """The health the enterprise's whole history gives, and the change from ``before``."""
    after, _changes = rules.replay(_history(attempt.enterprise_id), window=occasion_window())
    if after.light == before.light:
        return after, None
    # Dated when the new light began in the history, not when it was noticed.
    began = after.light_since or attempt.occurred_at
    return after, rules.Change(
        before.light, after.light, began, _as_attempt(attempt), after.consecutive_failures
    )


def _held(before: Health, after: Health) -> Health:
    """``after`` with the light of ``before``: a pause counts failures but does not escalate."""
    return Health(
        consecutive_failures=after.consecutive_failures,
        light=before.light,
        light_since=before.light_since,
        last_success_at=after.last_success_at,
        last_attempt_at=after.last_attempt_at,
    )


def _light_changed(
    enterprise: Enterprise, change: rules.Change, *, reason: str, attempt: ContactAttempt
) -> None:
    """The change of light as a row, and what it means: back to green calms, yellow and red
    escalate."""
    LightChange.objects.create(
        enterprise=enterprise,
        from_light=change.from_light,
        to_light=change.to_light,
        at=change.at,
        reason=reason,
        consecutive_failures=change.consecutive_failures,
        attempt=attempt,
    )
    if change.to_light == Light.GREEN:
        _calm(enterprise, attempt)
    else:
        _escalate(enterprise, Light(change.to_light), attempt)


def health_pause(
    *, enterprise: Enterprise, until: datetime.date, reason: str, by=None
) -> ContactHealth:
    """Pause escalation for a suspended enterprise or one being deregistered, up to and
    including ``until``."""
    today = clock.today()
    if reason not in ContactHealth.PauseReason.values:
        raise ServiceError(
            _("Choose why the enterprise is paused."), field="reason", code="invalid"
        )
    if until < today:
        raise ServiceError(
            _("The end of the pause cannot be in the past."), field="until", code="past"
        )
    if until > today + datetime.timedelta(days=PAUSE_MAX_DAYS):
        raise ServiceError(
            _("A pause lasts at most a year; extend it later if needed."),
            field="until",
            code="too_long",
        )
    with transaction.atomic():
        Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        row, _created = ContactHealth.objects.get_or_create(enterprise=enterprise)
        row.paused_until = until
        row.pause_reason = reason
        row.save(update_fields=["paused_until", "pause_reason", "updated_at"])
    return row


def health_resume(*, enterprise: Enterprise, by=None) -> ContactHealth | None:
    """End a pause now; the light catches up with the failures counted meanwhile."""
    with transaction.atomic():
        Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        row = ContactHealth.objects.select_for_update().filter(enterprise=enterprise).first()
        if row is None or row.paused_until is None:
            return row
        row.paused_until = None
        row.pause_reason = ""
        row.save(update_fields=["paused_until", "pause_reason", "updated_at"])
        _catch_up(row)
    return row


def _catch_up(row: ContactHealth) -> None:
    due = rules.light_for(row.consecutive_failures)
    if due == row.light:
        return
    now = clock.now()
    LightChange.objects.create(
        enterprise_id=row.enterprise_id,
        from_light=row.light,
        to_light=due,
        at=now,
        reason=LightChange.Reason.PAUSE_ENDED,
        consecutive_failures=row.consecutive_failures,
    )
    row.light, row.light_since = due, now
    row.save(update_fields=["light", "light_since", "updated_at"])
    if due == Light.GREEN:
        _calm(row.enterprise, None)
    else:
        _escalate(row.enterprise, due, None)


def pauses_expire(*, today: datetime.date | None = None) -> int:
    """End the pauses whose last day has passed, and let their lights catch up.

    One UPDATE finds them; the catching up is per enterprise (it writes a change and opens
    or closes tasks through outreach's services), but pauses are set by hand and few.
    """
    today = today or clock.today()
    with transaction.atomic():
        ended = list(
            ContactHealth.objects.filter(paused_until__lt=today)
            .select_for_update(skip_locked=True)
            .select_related("enterprise")
        )
        ContactHealth.objects.filter(pk__in=[row.pk for row in ended]).update(
            paused_until=None, pause_reason=""
        )
        for row in ended:
            row.paused_until, row.pause_reason = None, ""
            _catch_up(row)
    return len(ended)
