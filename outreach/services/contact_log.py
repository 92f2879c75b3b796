"""The contact log: every attempt to reach a liaison, whichever door it comes through (the
enterprise page, the task list, the API, the outbox reporting a bounce, self-service)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.kinds import task_kind
from outreach.models import ContactAttempt, Task
from outreach.services.plan import enterprise_reached
from outreach.services.tasks import NOTE_MAX, task_open, tasks_close_where
from outreach.signals import attempt_recorded
from registry import clock
from registry.models import Door, Enterprise, Liaison
from registry.services import liaison_mark_verified

# Clocks of phones and PCs drift: a few minutes "in the future" is still now.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# A handover is urgent: the enterprise has nobody to reach until it is done.
HANDOVER_DUE_DAYS = 3
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _checked_time(occurred_at: datetime.datetime | None) -> datetime.datetime:
    now = clock.now()
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > now + CLOCK_SKEW:
        raise ServiceError(
            _("A contact cannot be logged in the future."), field="occurred_at", code="future"
        )
    if occurred_at < EARLIEST:
        raise ServiceError(
            _("This date is too far in the past."), field="occurred_at", code="too_old"
        )
    return occurred_at


def _door(by, channel: str) -> Door:
    if channel == ContactAttempt.Channel.SELF_SERVICE:
        return Door.SELF_SERVICE
    return Door.STAFF if by is not None else Door.SYSTEM


def contact_attempt_record(
    *,
    enterprise: Enterprise,
    channel: str,
    outcome: str,
    by=None,
    liaison: Liaison | None = None,
    note: str = "",
    occurred_at: datetime.datetime | None = None,
    verified: bool = False,
) -> ContactAttempt:
    """Log an attempt and everything it means, in one transaction:

    - the open tasks it answers are closed (outreach.kinds: e.g. a reached liaison closes
      the routine contact, a call closes the re-check call), with the attempt as the reason;
    - reaching the liaison plans the next regular contact;
    - ``verified`` (only with a reached liaison) counts as a verification of the liaison;
    - "liaison has left" opens a handover task;
    - ``outreach.signals.attempt_recorded`` is sent last, INSIDE the transaction, so that a
      receiver (monitoring's light) writes in the same transaction as the attempt.

    ``by=None`` is the system (the outbox reporting an undeliverable message). Without
    ``liaison`` the attempt is about the enterprise's current liaison, if any. Attempts of
    one enterprise are serialised by a lock on its row, so that receivers counting
    consecutive failures see them one after another.
    """
    if channel not in ContactAttempt.Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel", code="invalid")
    if outcome not in ContactAttempt.Outcome.values:
        raise ServiceError(_("Unknown outcome."), field="outcome", code="invalid")
    occurred_at = _checked_time(occurred_at)
    reached = ContactAttempt.Outcome.is_success(outcome)
    if verified and not reached:
        raise ServiceError(
            _("Details can only be verified when the liaison was reached."),
            field="verified",
            code="not_reached",
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(
            _("At most %(max)d characters.") % {"max": NOTE_MAX}, field="note", code="too_long"
        )
    with transaction.atomic():
        # FOR NO KEY UPDATE: queues attempts of the same enterprise, but not the inserts
        # that merely reference the row.
        enterprise = Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        if liaison is None:
            liaison = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
        elif liaison.enterprise_id != enterprise.pk:
            raise ServiceError(
                _("This liaison is not one of this enterprise's."), field="liaison", code="other"
            )
        if verified and liaison is None:
            raise ServiceError(
                _("This enterprise has no liaison whose details could be verified."),
                field="verified",
                code="no_liaison",
            )
        attempt = ContactAttempt(
            enterprise=enterprise,
            liaison=liaison,
            channel=channel,
            outcome=outcome,
            occurred_at=occurred_at,
            note=note,
            verified=verified,
            by=by,
        )
        try:
            attempt.full_clean()
        except ValidationError as error:
            raise ServiceError("; ".join(error.messages), code="invalid") from error
        attempt.save()

        open_kinds = Task.objects.filter(enterprise=enterprise, status=Task.Status.OPEN)
        answered = [
            kind
            for kind in open_kinds.values_list("kind", flat=True)
            if (registered := task_kind(kind)) is not None and registered.answers(channel, outcome)
        ]
        if answered:
            tasks_close_where(tasks=open_kinds.filter(kind__in=answered), by=by, attempt=attempt)
        if reached:
            enterprise_reached(enterprise=enterprise, at=occurred_at)
        if verified:
            liaison_mark_verified(liaison=liaison, by=by, door=_door(by, channel), at=occurred_at)
        if outcome == ContactAttempt.Outcome.LEFT:
            source = (
                Task.Source.SELF_SERVICE
                if channel == ContactAttempt.Channel.SELF_SERVICE
                else Task.Source.RULE
            )
            task_open(
                enterprise=enterprise,
                kind=Task.Kind.HANDOVER,
                source=source,
                due_on=clock.today() + datetime.timedelta(days=HANDOVER_DUE_DAYS),
                by=by,
                note=_("The liaison has left: connect their successor."),
            )
        attempt_recorded.send(sender=ContactAttempt, attempt=attempt)
    return attempt
