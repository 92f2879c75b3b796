"""Reads of campaigns and the outbox, always narrowed to what the user may see: a grid
worker's lists, counts and progress cover the enterprises of their own grids only."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet

from outreach.messaging.models import Campaign, Channel, OutboxMessage
from outreach.sql.campaign_counts import counts_read
from registry.access import SEE_EVERYTHING
from registry.models import Liaison
from registry.normalize import mask_phone
from registry.roles import Role, user_role
from registry.selectors import EnterpriseFilters, enterprise_list

Status = OutboxMessage.Status


def _scope(user, prefix: str = "") -> Q:
    role = user_role(user)
    if role in SEE_EVERYTHING:
        return Q()
    if role == Role.GRID_WORKER:
        return Q(**{f"{prefix}enterprise__grid__workers": user})
    return Q(pk__in=[])


def visible_messages(user) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(_scope(user))


@dataclass(frozen=True)
class Progress:
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    skipped: int
    # Waiting while its stopped campaign is resumed or cancelled.
    held: int = 0
    # Sent and confirmed by the provider's delivery receipt (still status "sent").
    delivered: int = 0

    @property
    def finished(self) -> bool:
        return self.queued == 0 and self.sending == 0 and self.held == 0

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


def _counts(**by_status) -> dict:
    return {status: Count("pk", filter=Q(status=status)) for status in by_status}


def campaign_progress(*, campaign: Campaign, user) -> Progress:
    """Counts per status from the counters the database keeps (outreach.sql.campaign_counts):
    one query over a few rows whatever the campaign's size, a grid worker's grids only."""
    role = user_role(user)
    if role not in SEE_EVERYTHING and role != Role.GRID_WORKER:
        return Progress(**dict.fromkeys(["total", *Status.values], 0))
    with connection.cursor() as cursor:
        counts = counts_read(
            cursor, campaign=campaign, user_id=None if role in SEE_EVERYTHING else user.pk
        )
    by_status = {status: counts.get(status, (0, 0))[0] for status in Status.values}
    return Progress(
        total=sum(by_status.values()),
        delivered=sum(delivered for _messages, delivered in counts.values()),
        **by_status,
    )


def campaign_progress_scan(*, campaign: Campaign, user) -> Progress:
    """The reference of ``campaign_progress``: the same counts over the messages themselves
    (tests hold the two equal)."""
    counts = (
        visible_messages(user)
        .filter(campaign=campaign)
        .aggregate(
            total=Count("pk"),
            delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
            **_counts(**dict.fromkeys(Status.values)),
        )
    )
    return Progress(**counts)


def campaign_list(*, user, status: str = "") -> QuerySet[Campaign]:
    scope = _scope(user, prefix="messages__")
    campaigns = Campaign.objects.all()
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    return (
        campaigns.select_related("created_by")
        .annotate(
            visible=Count("messages", filter=scope),
            sent=Count("messages", filter=scope & Q(messages__status=Status.SENT)),
            failed=Count("messages", filter=scope & Q(messages__status=Status.FAILED)),
            waiting=Count(
                "messages",
                filter=scope & Q(messages__status__in=[Status.QUEUED, Status.SENDING]),
            ),
        )
        .order_by("-created_at", "-id")
    )


def campaigns_awaiting_approval(*, user) -> int:
    """How many campaigns wait for an admin's approval (0 for those who cannot approve)."""
    if user_role(user) != Role.ADMIN:
        return 0
    return Campaign.objects.filter(status=Campaign.Status.AWAITING_APPROVAL).count()


def campaign_recipients(*, campaign: Campaign, user, status: str = "") -> QuerySet:
    messages = visible_messages(user).filter(campaign=campaign)
    if status in Status.values:
        messages = messages.filter(status=status)
    # In the order written (by enterprise id): a sort by name over 100k rows costs a poll
    # hundreds of milliseconds.
    return messages.select_related("enterprise", "liaison").order_by("id")


def outbox_list(*, user, status: str = "", channel: str = "") -> QuerySet[OutboxMessage]:
    messages = visible_messages(user)
    if status in Status.values:
        messages = messages.filter(status=status)
    if channel in Channel.values:
        messages = messages.filter(channel=channel)
    return messages.select_related("enterprise", "campaign").order_by("-created_at", "-id")


def shown_address(message: OutboxMessage) -> str:
    """The recipient as lists show it: a mobile masked for every role, as on the enterprise
    page (those who may see it in full use the enterprise page's logged "show"); the e-mail
    address of someone who is no liaison (a matter's requester, a staff member) masked too,
    as the matter page shows it."""
    if message.channel == Channel.SMS:
        return mask_phone(message.to)
    return message.shown_to


@dataclass(frozen=True)
class Audience:
    enterprises: int
    reachable: int
    # A details check: how many would get a personal link (None: the text has no link).
    links: int | None = None


def campaign_audience(
    *, user, filters: EnterpriseFilters, channel: str, links: bool = False
) -> Audience:
    """How many enterprises a filter selects and how many current liaisons have an address
    for the channel (and, for personal links, a mobile for the code as well): the preview
    before a campaign is created."""
    chosen = enterprise_list(user=user, filters=filters).order_by().values("pk")
    address = "mobile" if channel == Channel.SMS else "email"
    liaisons = Liaison.objects.filter(enterprise__in=chosen, ended_on__isnull=True).exclude(
        **{address: ""}
    )
    counts = liaisons.aggregate(reachable=Count("pk"), links=Count("pk", filter=~Q(mobile="")))
    return Audience(
        enterprises=chosen.count(),
        reachable=counts["reachable"],
        links=counts["links"] if links else None,
    )
