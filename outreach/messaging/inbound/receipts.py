"""Delivery receipts (状态报告 / 回执) onto the outbox rows they report on.

A push is recorded whole or not at all (one transaction), set-based: one query finds and
locks every row the push names, one UPDATE writes them all. Per row:

- delivered: ``delivered_at``, ``receipt_code``, ``receipt_at``. Arrival is not a reply:
  nothing goes on the contact log (a liaison who never reads SMS still gets them delivered).
- not delivered, and the code says the number is dead or refused (空号 / 停机 / blacklisted,
  ``codes``): the row fails with that problem and ``message_undeliverable`` is sent for it
  in this transaction, the same path as a send refused at once — the contact log records a
  failed attempt on SMS (outreach.messaging.contact_log), and with it the light moves.
- not delivered for another reason: the row fails as UNDELIVERED, and that is all. Those
  codes (phone switched off for days, inbox full, carrier time-outs and flow control, content
  filters) say this message did not arrive, not that the liaison cannot be reached; counting
  them as failed contacts would turn one carrier's bad hour into a wall of amber lights.

A row keeps its first receipt: a repeated push (both providers retry until answered 200)
finds ``receipt_at`` set and changes nothing. A receipt for a message we do not know (another
system on the same account, a row erased by retention) is logged and acknowledged.
"""

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from outreach.messaging.inbound.codes import PERMANENT, receipt_problem
from outreach.messaging.inbound.payloads import Receipt
from outreach.messaging.models import Channel, OutboxMessage
from outreach.messaging.signals import message_undeliverable
from registry import clock

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
_OUT_ID = re.compile(r"outbox-([1-9][0-9]{0,17})")
# A provider's clock is trusted within this window; outside it the receipt is timed on arrival.
_PLAUSIBLE = datetime.timedelta(days=30)
# A message whose receipt says it failed, while we still thought it on its way.
_IN_FLIGHT = {Status.SENT, Status.SENDING, Status.QUEUED}


@dataclass
class ReceiptsResult:
    delivered: int = 0
    failed_contacts: int = 0
    undelivered: int = 0
    repeated: int = 0
    unknown: list[str] = field(default_factory=list)


def _outbox_pk(out_id: str) -> int | None:
    match = _OUT_ID.fullmatch(out_id or "")
    return int(match.group(1)) if match else None


def _when(at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    if at is None or not (now - _PLAUSIBLE <= at <= now):
        return now
    return at


def _match(receipts: list[Receipt], rows: list[OutboxMessage]):
    """Each receipt with its row (or None): by our OutId first, else by the provider's id;
    an Alibaba BizId shared by a batch send is told apart by the number."""
    by_pk = {row.pk: row for row in rows}
    by_gateway: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        if row.gateway_id:
            by_gateway.setdefault(row.gateway_id, []).append(row)
    for receipt in receipts:
        row = by_pk.get(_outbox_pk(receipt.out_id))
        if row is None and receipt.gateway_id:
            candidates = by_gateway.get(receipt.gateway_id, [])
            if len(candidates) > 1:
                candidates = [c for c in candidates if c.to == receipt.mobile]
            row = candidates[0] if len(candidates) == 1 else None
        yield receipt, row


def receipts_record(*, receipts: list[Receipt]) -> ReceiptsResult:
    """Record one push of delivery receipts on the SMS rows they name, whole or not at all;
    returns what became of them (counts, and the ids of receipts for rows we do not know).
    The rules per row are the module's."""
    now = clock.now()
    result = ReceiptsResult()
    with transaction.atomic():
        rows = _rows_named(receipts)
        changed: dict[int, OutboxMessage] = {}
        undeliverable: list[OutboxMessage] = []
        for receipt, row in _match(receipts, rows):
            if row is None:
                result.unknown.append(receipt.out_id or receipt.gateway_id)
            elif row.receipt_at is not None:
                result.repeated += 1
            else:
                changed[row.pk] = row
                if _receipt_apply(row, receipt, now=now, result=result):
                    undeliverable.append(row)
        _rows_save(list(changed.values()))
        # Enterprise by enterprise (the contact log locks each enterprise's row); a message
        # filed under no enterprise (a requester not identified yet) first, it locks none.
        for row in sorted(undeliverable, key=lambda r: (r.enterprise_id or 0, r.pk)):
            message_undeliverable.send(sender=OutboxMessage, message=row, channel=row.channel)
    if result.unknown:
        logger.info(
            "sms receipts: %d for messages we do not know: %s",
            len(result.unknown),
            ", ".join(result.unknown[:20]),
        )
    return result


def _rows_named(receipts: list[Receipt]) -> list[OutboxMessage]:
    """The SMS rows the receipts name by our OutId or by the provider's id, locked in id
    order (in the caller's transaction)."""
    pks = {pk for pk in (_outbox_pk(r.out_id) for r in receipts) if pk is not None}
    gateway_ids = {r.gateway_id for r in receipts if r.gateway_id}
    return list(
        OutboxMessage.objects.filter(Q(pk__in=pks) | Q(gateway_id__in=gateway_ids))
        .filter(channel=Channel.SMS)
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def _receipt_apply(
    row: OutboxMessage, receipt: Receipt, *, now: datetime.datetime, result: ReceiptsResult
) -> bool:
    """Write a first receipt onto its row (in memory) and count it in ``result``. True when
    the number is dead or refused: a failed contact, which the caller reports."""
    at = _when(receipt.at, now)
    row.receipt_at = now
    if receipt.delivered:
        row.delivered_at = at
        row.receipt_code = (receipt.code or "DELIVERED")[:50]
        result.delivered += 1
        return False
    problem = receipt_problem(receipt.code, receipt.detail)
    row.receipt_code = (receipt.code or "FAIL")[:50]
    if row.status not in _IN_FLIGHT:
        # Failed, skipped or held already: the receipt is kept, the verdict stands.
        result.undelivered += 1
        return False
    row.status = Status.FAILED
    row.failed_at = at
    row.lease_until = None
    row.problem = problem
    row.error = (receipt.detail or receipt.code or "")[:500]
    if problem in PERMANENT:
        result.failed_contacts += 1
        return True
    result.undelivered += 1
    return False


def _rows_save(rows: list[OutboxMessage]) -> None:
    """Write the receipts' fields of the rows a push changed."""
    if rows:
        OutboxMessage.objects.bulk_update(
            rows,
            [
                "status",
                "failed_at",
                "lease_until",
                "problem",
                "error",
                "delivered_at",
                "receipt_code",
                "receipt_at",
            ],
        )
