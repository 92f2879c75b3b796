"""Personal links for the enterprises chosen on the list, in one bulk write through the outbox
(``outreach.messaging.bulk.outbox_write_bulk``, which writes the links in the same statement
as the SMS carrying them): what ``selfservice_link_send`` does for one enterprise.

What keeps a desk's bulk send in line with a campaign's:
- the sending window: the SMS wait in the outbox until it opens (``window.next_start``),
  so a click at 20:00 or on a holiday sends the next working morning;
- size: above the campaign approval threshold it is a details-check campaign (an admin's
  four eyes), not a click;
- rate: a liaison sent a link within ``RESEND_AFTER`` is left out (a double click or a second
  bulk send does not supersede the link the liaison may be opening right now);
- paused enterprises (monitoring's pauses) and deregistered ones are left out, as campaigns
  leave them out.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging import services as messaging
from outreach.messaging import window
from outreach.messaging.bulk import outbox_write_bulk
from outreach.messaging.campaign_controls import approval_threshold
from outreach.messaging.exclusions import paused_sql
from outreach.messaging.models import Channel, MessageTemplate
from outreach.messaging.rendering import placeholders_in
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.channel import LINK_TEMPLATES
from registry import clock
from registry.models import Enterprise
from registry.workdays import WorkCalendar

RESEND_AFTER = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class BulkLinksResult:
    chosen: int  # enterprises in the selection
    written: int  # outbox rows (a "not sent" row for a liaison without a mobile)
    queued: int  # SMS that will go out
    recent: int  # left out: a link went to them within RESEND_AFTER
    send_at: datetime.datetime


def selfservice_links_send_bulk(
    *,
    enterprises: QuerySet[Enterprise],
    by,
    now: datetime.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> BulkLinksResult:
    """Send the current liaisons of ``enterprises`` (already the caller's scope) a personal
    link each by SMS, set-based, in one transaction: every link and its SMS, or nothing.
    ServiceError: too many for a click (``too_many``), no usable template (``no_template``),
    nobody left to send to (``nothing``)."""
    now = now or clock.now()
    calendar = calendar or WorkCalendar.load()
    chosen_ids = enterprises.order_by().values("pk")
    recent_link = SelfServiceLink.objects.filter(
        enterprise=OuterRef("pk"), created_at__gte=now - RESEND_AFTER
    )
    base = Enterprise.objects.filter(pk__in=chosen_ids).annotate(recent=Exists(recent_link))
    counts = {row["recent"]: row["n"] for row in _count_by_recent(base)}
    chosen, recent = sum(counts.values()), counts.get(True, 0)
    if chosen - recent > approval_threshold():
        raise ServiceError(
            _(
                "%(count)d links at once need an admin's approval: send them as a details "
                "check campaign instead."
            )
            % {"count": chosen - recent},
            code="too_many",
        )
    if chosen == recent:
        raise ServiceError(
            _("Every selected liaison was sent a link in the last 24 hours: nothing was sent."),
            code="nothing",
        )
    template = MessageTemplate.objects.filter(key=LINK_TEMPLATES[Channel.SMS]).first()
    if template is None or "link" not in placeholders_in(template.body):
        raise ServiceError(
            _("The personal link's SMS template is missing its link."), code="no_template"
        )
    send_at = window.next_start(now, calendar=calendar)
    fresh = base.filter(recent=False).values("pk")
    with transaction.atomic():
        written, queued = outbox_write_bulk(
            enterprises=fresh.query.sql_with_params(),
            channel=Channel.SMS,
            subject="",
            body=template.body,
            purpose="self-service-link",
            by_id=by.pk,
            template_id=template.pk,
            send_at=send_at,
            now=now,
            include_deregistered=False,
            paused=paused_sql(clock.today(now)),
        )
        if queued and send_at <= now:
            messaging.deliver_after_commit()
    return BulkLinksResult(
        chosen=chosen, written=written, queued=queued, recent=recent, send_at=send_at
    )


def _count_by_recent(base: QuerySet[Enterprise]):
    from django.db.models import Count

    return base.values("recent").annotate(n=Count("pk")).order_by()
