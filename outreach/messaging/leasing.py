"""Leased delivery: the claim / lease / retry shape that the outbox and the WeCom posts share.

A row to deliver is *queued* with the time it is due (``next_attempt_at``). A worker claims
due rows (``SELECT … FOR UPDATE SKIP LOCKED``, then status *sending* with a lease and one more
attempt), sends each, and records the answer with a conditional UPDATE that only succeeds
while the claim is still its own (``still_mine``: same attempt, still sending). A worker
killed mid-send leaves the lease to expire; the next claim takes the row again.

``LeasedDelivery`` holds the columns, their check constraints and the partial indexes the
claim uses; ``claim``, ``mark_sent``, ``mark_failed`` and ``retry_later`` are the writes. The
outbox (outreach.messaging.services) and the group posts (outreach.messaging.wecom.services)
add what is their own: the outbox's problem codes and sending window, the robots' rate.
"""

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from registry import clock

__all__ = [
    "LeasedDelivery",
    "backoff",
    "claim",
    "due",
    "mark_failed",
    "mark_sent",
    "retry_later",
    "still_mine",
]


class LeasedDelivery(models.Model):
    """What a row delivered by a leasing worker records (abstract): its status, attempts, when
    it is due, whose lease it is under, and how it ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # A model with more ends than these (the outbox: not sent, held) declares the field again
    # with its own choices; the four above keep their values there.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # While a worker is sending, the row is leased to it until this time; a worker killed
    # mid-send leaves the lease to expire and the next claim hands the row to another.
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.CharField(_("error detail"), max_length=500, blank=True)

    class Meta:
        abstract = True
        # A concrete model with indexes or constraints of its own lists these first:
        # ``indexes = [*LeasedDelivery.Meta.indexes, …]``.
        indexes = [
            # The claim and the minute sweep: queued rows whose time has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="%(class)s_due_idx",
            ),
            # The claim: rows whose sender's lease ran out (a killed worker).
            models.Index(
                fields=["lease_until"],
                condition=Q(status="sending"),
                name="%(class)s_lease_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="queued") | Q(next_attempt_at__isnull=False),
                name="%(class)s_queued_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False),
                name="%(class)s_sending_has_lease",
            ),
        ]


Status = LeasedDelivery.Status
Row = TypeVar("Row", bound=LeasedDelivery)


def due(now: datetime.datetime) -> Q:
    """The rows a worker may claim at ``now``: queued ones whose time has come, and sending
    ones whose sender's lease ran out."""
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now
    )


def claim(
    rows: QuerySet[Row],
    *,
    limit: int,
    now: datetime.datetime,
    columns: tuple[str, ...] = (),
    ration: Callable[[list[tuple]], list[int]] | None = None,
    **also: Any,
) -> QuerySet[Row]:
    """Lease up to ``limit`` of the due ``rows`` (in their order) to this worker until ``now``
    + ``OUTBOX_LEASE_SECONDS``: status sending, one more attempt, and the fields ``also``.
    Rows another worker is claiming are skipped, not waited for, so any number of workers
    drain side by side.

    ``ration``, given the locked candidates as ``(pk, *columns)`` tuples, returns the pks to
    take (it runs in the claim's transaction and may push the others back). Returns the
    claimed rows (a queryset, empty when none), which the caller may ``select_related``."""
    model = rows.model
    lease_until = now + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        candidates = list(
            rows.filter(due(now))
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", *columns)[:limit]
        )
        if not candidates:
            return model.objects.none()
        take = ration(candidates) if ration else [pk for pk, *_rest in candidates]
        if not take:
            return model.objects.none()
        model.objects.filter(pk__in=take).update(
            status=Status.SENDING, lease_until=lease_until, attempts=F("attempts") + 1, **also
        )
    return model.objects.filter(pk__in=take, status=Status.SENDING, lease_until=lease_until)


def still_mine(row: Row) -> QuerySet[Row]:
    """The row, as long as this worker's claim on it holds (same attempt, still sending):
    every mark after a send updates through this."""
    return type(row).objects.filter(pk=row.pk, status=Status.SENDING, attempts=row.attempts)


def mark_sent(row: LeasedDelivery, **also: Any) -> int:
    """The row was delivered: sent now, lease released, with the fields ``also``. Returns 1,
    or 0 when the claim was no longer this worker's."""
    return still_mine(row).update(status=Status.SENT, sent_at=clock.now(), lease_until=None, **also)


def mark_failed(row: LeasedDelivery, *, detail: str, **also: Any) -> int:
    """The row will not be delivered: failed now, lease released, ``detail`` (cut to the
    column) as its error, with the fields ``also``. Returns 1, or 0 when the claim was no
    longer this worker's."""
    return still_mine(row).update(
        status=Status.FAILED, failed_at=clock.now(), lease_until=None, error=detail[:500], **also
    )


def backoff(attempts: int) -> datetime.timedelta:
    """How long a row waits after its ``attempts``-th temporary failure: 1, 2, 4, 8 … minutes
    by default (``OUTBOX_RETRY_BASE_SECONDS`` doubled), capped at ``OUTBOX_RETRY_MAX_SECONDS``."""
    return datetime.timedelta(
        seconds=min(
            settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1),
            settings.OUTBOX_RETRY_MAX_SECONDS,
        )
    )


def _as_is(at: datetime.datetime) -> datetime.datetime:
    return at


def retry_later(
    row: LeasedDelivery,
    *,
    detail: str,
    retry_at: datetime.datetime | None = None,
    allowed_at: Callable[[datetime.datetime], datetime.datetime] = _as_is,
    again: Mapping[str, Any] | None = None,
    gave_up: Mapping[str, Any] | None = None,
) -> str:
    """A temporary failure of a claimed row; returns its new status.

    With ``retry_at`` (the provider said when it may be tried again: a throttle) the row is
    queued for then, never given up: not a failure of ours. Otherwise it is queued again after
    the ``backoff``, or failed once it has had ``OUTBOX_MAX_ATTEMPTS`` attempts.
    ``allowed_at`` gives the first moment a retry due at a time may go (the outbox's sending
    window); ``again`` and ``gave_up``: more fields written when queued again / failed."""
    now = clock.now()
    if retry_at is None and row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mark_failed(row, detail=detail, **(gave_up or {}))
        return Status.FAILED
    at = max(retry_at, now) if retry_at is not None else now + backoff(row.attempts)
    still_mine(row).update(
        status=Status.QUEUED,
        next_attempt_at=allowed_at(at),
        lease_until=None,
        error=detail[:500],
        **(again or {}),
    )
    return Status.QUEUED
