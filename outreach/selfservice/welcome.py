"""Every new liaison welcomed, once, whichever door started their period (a staff edit or
the API through registry.services, a confirmed handover, the import): one SMS saying how
the park works with its liaisons, the reminder to file the change with the registration
authority within 30 days, and the personal link, behind which the data-use notice waits
(outreach.selfservice.notice). Logged as the liaison's first contact.

The registry tells (``registry.signals.liaisons_started``, in the transaction that started
the periods, with their ids); this answers set-based for one liaison as for an import's
100,000: a claim (``outreach.sql.welcome``) that a unique key per liaison period makes
once — a re-run, a retried task, two doors at once claim nothing more — then the SMS and
their links in one bulk outbox write, then their contacts. All in the starting transaction:
a period that rolls back was never welcomed, one that commits was.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db import connection, transaction
from django.utils.translation import gettext as _

from outreach.messaging.bulk import outbox_write_bulk
from outreach.messaging.defaults import WELCOME_TEMPLATE, default_template
from outreach.messaging.models import Channel, MessageTemplate
from outreach.messaging.services import deliver_after_commit
from outreach.sql import welcome as sql
from registry import clock
from registry.models import Door

PURPOSE = "liaison-welcome"
# How far back the catch-up looks: long enough to outlast a night without a worker, short
# enough that liaisons entered before the welcome existed are never welcomed late.
CATCH_UP_HOURS = 48


def liaisons_welcome(
    *,
    liaison_ids: list[int],
    door: str,
    by=None,
    by_id: int | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Welcome those of these liaisons that are current and were never welcomed, in the
    caller's transaction; sent by ``by`` (a user, or its id ``by_id``; neither: the system).
    Returns how many were welcomed now."""
    if not liaison_ids:
        return 0
    now = now or clock.now()
    template = MessageTemplate.objects.filter(key=WELCOME_TEMPLATE).first()
    body = template.body if template is not None else default_template(WELCOME_TEMPLATE)["body"]
    by_id = by.pk if by is not None else by_id
    with transaction.atomic(), connection.cursor() as cursor:
        claimed = sql.welcomes_claim(cursor, liaison_ids=liaison_ids, door=str(door), now=now)
        if not claimed:
            return 0
        outbox_write_bulk(
            enterprises=("SELECT unnest(%s::bigint[])", [[e for _, e in claimed]]),
            channel=Channel.SMS,
            subject="",
            body=body,
            purpose=PURPOSE,
            by_id=by_id,
            template_id=getattr(template, "pk", None),
            now=now,
        )
        sql.welcome_attempts_write(
            cursor,
            liaison_ids=[liaison for liaison, _ in claimed],
            purpose=PURPOSE,
            note=_("Welcome SMS to the new liaison, with their personal link."),
            by_id=by_id,
            now=now,
        )
        deliver_after_commit()
    return len(claimed)


def welcome_started_liaisons(sender, *, liaison_ids, door, by=None, **_kwargs) -> None:
    """registry.signals.liaisons_started: welcome them — in the sender's transaction, or,
    for an import, by a worker once the import has committed."""
    ids = list(liaison_ids)
    if str(door) != Door.IMPORT:
        liaisons_welcome(liaison_ids=ids, door=door, by=by)
        return
    # An import may start 100,000 liaisons: their SMS, links and contacts are outreach's
    # work, not the registry's, so they leave the import's transaction (which holds the
    # registry's rows alone, at the speed issue 16 measures) for a worker after the commit.
    # Once still holds (the claim); a rolled-back import queues nothing; a task the broker
    # lost is caught up by welcomes_catch_up.
    by_id = getattr(by, "pk", None)
    transaction.on_commit(partial(welcome_later, ids, str(door), by_id), robust=True)


def welcome_later(liaison_ids: list[int], door: str, by_id: int | None) -> None:
    """Queue ``outreach.tasks.liaisons_welcome`` (its arguments, in its order)."""
    from outreach.tasks import liaisons_welcome_task

    liaisons_welcome_task.delay(liaison_ids, door, by_id)


def welcomes_catch_up(*, now: datetime.datetime) -> int:
    """Welcome the current liaisons created in the last CATCH_UP_HOURS and never welcomed
    (an import's task the broker lost, a worker that died): returns how many."""
    since = now - datetime.timedelta(hours=CATCH_UP_HOURS)
    with connection.cursor() as cursor:
        ids = sql.unwelcomed_since(cursor, since=since)
    return liaisons_welcome(liaison_ids=ids, door=Door.IMPORT, now=now)
