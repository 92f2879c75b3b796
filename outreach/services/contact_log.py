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
from outreach.services.tasks import (
    NOTE_MAX,
    FollowUp,
    follow_up_check,
    follow_up_task_create,
    task_open,
    tasks_close_where,
)
from outreach.signals import attempt_recorded
from registry import clock
from registry.models import Door, Enterprise, Liaison
from registry.services import liaison_mark_verified

# Clocks of phones and PCs drift: a few minutes "in the future" is still now.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# A handover is urgent: the enterprise has nobody to reach until it is done.
HANDOVER_DUE_DAYS = 3
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# A follow-up's fields, as errors name them (the contact form's and the API's names).
FOLLOW_UP_FIELDS = "follow_up_"


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
    follow_up: FollowUp | None = None,
) -> ContactAttempt:
    """Log an attempt and everything it means, in one transaction:

    - the open tasks it answers are closed (outreach.kinds: e.g. a reached liaison closes
      the routine contact, a call closes the re-check call), with the attempt as the reason;
    - reaching the liaison plans the next regular contact;
    - ``verified`` (only with a reached liaison) counts as a verification of the liaison;
    - "liaison has left" opens a handover task;
    - ``follow_up`` (what was agreed, its owner, its due date) becomes a follow-up task,
      however many the enterprise already has open (ServiceError naming ``follow_up_note``,
      ``follow_up_due_on`` or ``follow_up_assignee``, before anything is written);
    - ``outreach.signals.attempt_recorded`` is sent last, INSIDE the transaction, so that a
      receiver (monitoring's light) writes in the same transaction as the attempt.

    ``by=None`` is the system (the outbox reporting an undeliverable message). Without
    ``liaison`` the attempt is about the enterprise's current liaison, if any. Attempts of
    one enterprise are serialised by a lock on its row, so that receivers counting
    consecutive failures see them one after another.
    """
    occurred_at, note = _checked(
        channel=channel, outcome=outcome, occurred_at=occurred_at, verified=verified, note=note
    )
    if follow_up is not None:
        follow_up = follow_up_check(
            enterprise, follow_up, now=clock.now(), field_prefix=FOLLOW_UP_FIELDS
        )
    with transaction.atomic():
        # FOR NO KEY UPDATE: queues attempts of the same enterprise, but not the inserts
        # that merely reference the row.
        enterprise = Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        attempt = _attempt_save(
            ContactAttempt(
                enterprise=enterprise,
                liaison=_liaison(enterprise, liaison, verified=verified),
                channel=channel,
                outcome=outcome,
                occurred_at=occurred_at,
                note=note,
                verified=verified,
                by=by,
            )
        )
        _tasks_answered_close(attempt)
        if attempt.succeeded:
            enterprise_reached(enterprise=enterprise, at=occurred_at)
        if verified:
            liaison_mark_verified(
                liaison=attempt.liaison, by=by, door=_door(by, channel), at=occurred_at
            )
        if outcome == ContactAttempt.Outcome.LEFT:
            _handover_open(attempt)
        if follow_up is not None:
            follow_up_task_create(
                enterprise=enterprise, follow_up=follow_up, by=by, field_prefix=FOLLOW_UP_FIELDS
            )
        attempt_recorded.send(sender=ContactAttempt, attempt=attempt)
    return attempt


def _checked(
    *, channel: str, outcome: str, occurred_at: datetime.datetime | None, verified: bool, note: str
) -> tuple[datetime.datetime, str]:
    """The attempt's own fields checked before anything is locked: (occurred_at, note)."""
    if channel not in ContactAttempt.Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel", code="invalid")
    if outcome not in ContactAttempt.Outcome.values:
        raise ServiceError(_("Unknown outcome."), field="outcome", code="invalid")
    occurred_at = _checked_time(occurred_at)
    if verified and not ContactAttempt.Outcome.is_success(outcome):
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
    return occurred_at, note


def _liaison(enterprise: Enterprise, liaison: Liaison | None, *, verified: bool) -> Liaison | None:
    """The liaison the attempt is about: the one given (of this enterprise), else the current
    one; a verification needs one."""
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
    return liaison


def _attempt_save(attempt: ContactAttempt) -> ContactAttempt:
    try:
        attempt.full_clean()
    except ValidationError as error:
        raise ServiceError("; ".join(error.messages), code="invalid") from error
    attempt.save()
    return attempt


def _tasks_answered_close(attempt: ContactAttempt) -> None:
    """Close the enterprise's open tasks this attempt answers (outreach.kinds), with the
    attempt as the reason."""
    open_kinds = Task.objects.filter(enterprise=attempt.enterprise, status=Task.Status.OPEN)
    answered = [
        kind
        for kind in open_kinds.values_list("kind", flat=True)
        if (registered := task_kind(kind)) is not None
        and registered.answers(attempt.channel, attempt.outcome)
    ]
    if answered:
        tasks_close_where(
            tasks=open_kinds.filter(kind__in=answered), by=attempt.by, attempt=attempt
        )


def _handover_open(attempt: ContactAttempt) -> None:
    """The liaison has left: a handover task, due soon."""
    source = (
        Task.Source.SELF_SERVICE
        if attempt.channel == ContactAttempt.Channel.SELF_SERVICE
        else Task.Source.RULE
    )
    task_open(
        enterprise=attempt.enterprise,
        kind=Task.Kind.HANDOVER,
        source=source,
        due_on=clock.today() + datetime.timedelta(days=HANDOVER_DUE_DAYS),
        by=attempt.by,
        note=_("The liaison has left: connect their successor."),
    )
