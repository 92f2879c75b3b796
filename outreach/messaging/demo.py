"""A campaign in the demo park, with some messages sent and some failed (registry's demo must
not import outreach; `make run` calls `seed_outreach_demo` after `seed_demo`)."""

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from outreach.messaging.campaign_controls import campaign_messages_write
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.messaging.services import campaign_create
from registry import clock
from registry.selectors import EnterpriseFilters

Status = OutboxMessage.Status


@transaction.atomic
def seed_messaging_demo(*, seed: int = 2026) -> Campaign | None:
    staff = get_user_model().objects.filter(username="staff").first()
    if staff is None:
        return None
    rng = random.Random(seed)
    campaign = campaign_create(
        name="国庆节日问候",
        kind=Campaign.Kind.HOLIDAY,
        template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
        filters=EnterpriseFilters(tier="key"),
        by=staff,
    )
    now = clock.now()
    campaign_messages_write(campaign, at=now, now=now)
    campaign.status = Campaign.Status.CONFIRMED
    campaign.save(update_fields=["recipients", "status"])
    queued = list(
        OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED).values_list(
            "pk", flat=True
        )
    )
    failed = set(rng.sample(queued, k=min(3, len(queued))))
    # As if delivered already: most went out, a few numbers turned out not to exist.
    OutboxMessage.objects.filter(pk__in=set(queued) - failed).update(
        status=Status.SENT, attempts=1, sent_at=now, next_attempt_at=None
    )
    OutboxMessage.objects.filter(pk__in=failed).update(
        status=Status.FAILED,
        attempts=1,
        failed_at=now,
        next_attempt_at=None,
        problem=OutboxMessage.Problem.INVALID_ADDRESS,
        error="空号 (demo)",
    )
    return campaign
