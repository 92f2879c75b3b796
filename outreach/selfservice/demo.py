"""Self-service in the demo park, written through the real services so the enterprise pages,
tasks, lights and outbox show what liaisons did with their links: some confirmed, one
corrected their details, one reported leaving (a handover for staff to confirm), one link
withdrawn, a few still open. Called by ``seed_outreach_demo`` after the campaign demo."""

import datetime
import random

from django.db import transaction
from django.db.models import F

from outreach.messaging.models import OutboxMessage
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.notice import data_use_notice
from outreach.selfservice.services import (
    selfservice_details_confirm,
    selfservice_details_correct,
    selfservice_leaving_report,
    selfservice_link_revoke,
    selfservice_link_send,
)
from registry import clock
from registry.models import Enterprise

# How many enterprises get a link, and what their liaisons did with it, in order.
OUTCOMES = ["confirm"] * 4 + ["correct", "leaving", "revoked"] + ["open"] * 3


@transaction.atomic
def seed_selfservice_demo(*, staff, seed: int = 2026) -> int:
    """Send the demo's links and act on them; returns how many links were sent."""
    rng = random.Random(seed)
    candidates = list(
        Enterprise.objects.filter(
            status=Enterprise.Status.OPERATING,
            liaisons__ended_on__isnull=True,
            liaisons__mobile__gt="",
        )
        # Enterprises with open work (a re-check, a procedure step) keep the monitor demo's
        # lights as they are.
        .exclude(tasks__status="open")
        .distinct()
        .order_by("pk")[:200]
    )
    chosen = rng.sample(candidates, k=min(len(OUTCOMES), len(candidates)))
    for enterprise, outcome in zip(chosen, OUTCOMES, strict=False):
        link = selfservice_link_send(enterprise=enterprise, by=staff)
        if outcome == "confirm":
            selfservice_details_confirm(link=link, notice_version=data_use_notice().version)
        elif outcome == "correct":
            selfservice_details_correct(
                link=link,
                notice_version=data_use_notice().version,
                liaison_details={"position": "综合部经理"},
                emergency_contact={"name": "陈静", "relation": "同事", "phone": "13912345678"},
            )
        elif outcome == "leaving":
            selfservice_leaving_report(
                link=link,
                notice_version=data_use_notice().version,
                last_day=clock.today() + datetime.timedelta(days=10),
                successor_name="刘洋",
                successor_mobile="13698765432",
            )
        elif outcome == "revoked":
            selfservice_link_revoke(link=link, by=staff)
    # As if sent a few days ago and delivered (the SMS gateway of a demo is the console).
    sent = SelfServiceLink.objects.filter(enterprise__in=chosen)
    for link in sent:
        back = datetime.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
        SelfServiceLink.objects.filter(pk=link.pk).update(
            created_at=F("created_at") - back, expires_at=F("expires_at") - back
        )
    OutboxMessage.objects.filter(
        enterprise__in=chosen,
        purpose__in=["self-service-link", "staff-correction-notice"],
        status=OutboxMessage.Status.QUEUED,
    ).update(
        status=OutboxMessage.Status.SENT,
        attempts=1,
        sent_at=clock.now(),
        next_attempt_at=None,
    )
    return len(chosen)
