"""The outbox and the campaigns that fill it.

An ``OutboxMessage`` row is written in the same transaction as whatever caused it; a Celery
worker claims due rows, hands them to the SMS or e-mail backend and records the result. The
row is the truth: a broker outage delays a message, it never loses or duplicates one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.messaging.leasing import LeasedDelivery
from registry.masking import mask_address
from registry.normalize import mask_email

__all__ = [
    "STAFF_NOTICE_PURPOSES",
    "Campaign",
    "CampaignCount",
    "Channel",
    "MessageTemplate",
    "OutboxMessage",
    "SmsOptOut",
]

# Purposes of the portal's notices to its own staff (the first-contact desk's reminders): to
# a staff member's mobile, filed under the enterprise they are about, never to its liaison,
# so their failure is no failed contact (outreach.messaging.contact_log).
STAFF_NOTICE_PURPOSES = frozenset({"matter-reminder"})


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageTemplate(models.Model):
    """A message text admins edit, with ``{{ enterprise }}``-style placeholders.

    Placeholders are plain substitutions from a fixed list (``outreach.messaging.rendering``);
    admin input is never run as a Django template.
    """

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # The SMS provider's approved template (阿里云 模板CODE, 腾讯云 模板ID): a provider sends
    # only approved templates with parameters, never free text. Blank: not approved yet.
    provider_code = models.CharField(_("approved template code"), max_length=64, blank=True)
    # The approved template's parameters in order, each with the placeholder that fills it:
    # [["name", "liaison"], ["company", "enterprise"]]. Alibaba names them (${name});
    # Tencent numbers them ({1}, {2}) in this order.
    provider_params = models.JSONField(_("approved template parameters"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """One message sent to a chosen set of enterprises' current liaisons."""

    class Kind(models.TextChoices):
        ANNUAL_REPORT = "annual_report", _("Annual-report reminder")
        HOLIDAY = "holiday", _("Holiday greeting")
        WEATHER = "weather", _("Severe-weather notice")
        GENERAL = "general", _("General reminder")
        # Each recipient gets their own personal link ({{ link }}): older links stop working.
        DETAILS_CHECK = "details_check", _("Details check (personal link)")
        CARE = "care", _("Care message")
        # An event's invitation (outreach/events): to the event's invitees only, each with
        # their own personal link ({{ link }}) that opens their invitations after the code.
        EVENT_INVITATION = "event_invitation", _("Event invitation (personal link)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: not sent")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting an admin's approval")
        # Its outbox rows are written: sending, or waiting for its time (send_at).
        CONFIRMED = "confirmed", _("Confirmed")
        # The provider refused the account or the template: its queued rows are held.
        STOPPED = "stopped", _("Stopped")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The text as it was when the campaign was created: later template edits do not change it.
    subject = models.CharField(_("subject (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # The enterprise-list filter that chose the recipients (registry.selectors.EnterpriseFilters).
    filters = models.JSONField(_("filters"), default=dict)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    # An event invitation's event: its invitees are the recipients, not ``filters``.
    event = models.ForeignKey(
        "outreach.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    # Deregistered enterprises are left out unless the sender chose to include them.
    include_deregistered = models.BooleanField(_("include deregistered"), default=False)
    # When delivery may start (park time, within the sending window); null: at once.
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # An urgent kind sent outside the sending window, confirmed by its sender.
    outside_window = models.BooleanField(_("outside the sending window"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stopped_reason = models.CharField(_("why it stopped"), max_length=500, blank=True)
    # Material from the library (outreach/materials) whose links fill {{ materials }}.
    materials = models.ManyToManyField(
        "outreach.Material",
        verbose_name=_("attached materials"),
        related_name="campaigns",
        blank=True,
    )
    # The latest test send to its sender's own phone or e-mail (not one of its messages).
    last_test = models.ForeignKey(
        "OutboxMessage",
        verbose_name=_("test message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="event_invitation", event__isnull=False)
                | (~Q(kind="event_invitation") & Q(event__isnull=True)),
                name="campaign_event_iff_event_invitation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutboxMessage(LeasedDelivery):
    """One SMS or e-mail to one liaison, and what became of it: delivered by a leasing worker
    (outreach.messaging.leasing)."""

    # LeasedDelivery.Status and the outbox's own ends (an enum cannot extend another).
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")
        # Its campaign was stopped (the provider refused the account or the template).
        HELD = "held", _("Held")

    class Problem(models.TextChoices):
        """Why a message was not sent, as a code the pages translate."""

        NO_LIAISON = "no_liaison", _("The enterprise has no current liaison")
        NO_ADDRESS = "no_address", _("The liaison has no number or address for this channel")
        # A personal link is unlocked by a code sent by SMS: without a mobile it is useless.
        NO_MOBILE = (
            "no_mobile",
            _("The liaison has no mobile for the code that unlocks the personal link"),
        )
        INVALID_ADDRESS = "invalid_address", _("Invalid number or address")
        BOUNCED = "bounced", _("Bounced")
        TEMPORARY = "temporary", _("Temporary failure; will retry")
        GAVE_UP = "gave_up", _("Gave up after repeated temporary failures")
        # From the provider's answer or delivery receipt (状态报告).
        EMPTY_NUMBER = "empty_number", _("Number does not exist (空号)")
        SUSPENDED_NUMBER = "suspended_number", _("Number suspended (停机)")
        BLACKLISTED = "blacklisted", _("Refused: the number is blacklisted")
        UNDELIVERED = "undelivered", _("Not delivered (receipt)")
        OPTED_OUT = "opted_out", _("The number opted out of this kind of message")
        PROVIDER_REFUSED = "provider_refused", _("The provider refused the account or template")

    # NULL: to someone not yet tied to an enterprise (a matter's requester before staff
    # identify the enterprise, a staff reminder about such a matter); always a ``recipient``.
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        null=True,
        blank=True,
    )
    liaison = models.ForeignKey(
        "registry.Liaison",
        verbose_name=_("liaison"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The address when the message was written: a later change of the liaison's number does
    # not redirect a message already on its way.
    to = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # The template the text came from and its placeholder values: an SMS provider is sent
    # the template's approved code and these values, not the text.
    template = models.ForeignKey(
        MessageTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    params = models.JSONField(_("template values"), default=dict, blank=True)
    purpose = models.CharField(_("purpose"), max_length=50)
    # The leased delivery's status (LeasedDelivery) with the outbox's own ends.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    problem = models.CharField(_("problem"), max_length=20, choices=Problem.choices, blank=True)
    gateway_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    # The provider's delivery receipt (状态报告): delivered is not a reply, only arrival.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    receipt_code = models.CharField(_("receipt code"), max_length=50, blank=True)
    receipt_at = models.DateTimeField(_("receipt at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta(LeasedDelivery.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            *LeasedDelivery.Meta.indexes,
            # A campaign's progress (counts per status) and its recipients of one status.
            models.Index(fields=["campaign", "status", "id"], name="outbox_campaign_status_idx"),
            # A campaign's recipient list, a page at a time in the order written.
            models.Index(fields=["campaign", "id"], name="outbox_campaign_idx"),
            # The staff outbox page, newest first.
            models.Index(fields=["-created_at", "-id"], name="outbox_created_idx"),
            # A Tencent delivery receipt names its message by the provider's id (SerialNo).
            models.Index(
                fields=["gateway_id"], condition=~Q(gateway_id=""), name="outbox_gateway_id_idx"
            ),
        ]

    def __str__(self) -> str:
        # Shown in the admin's titles and breadcrumbs: the number masked like everywhere.
        return f"#{self.pk} {self.get_channel_display()} → {self.shown_to or '—'}"

    @property
    def shown_to(self) -> str:
        """The address as lists show it: a number masked; the e-mail address of someone who
        is no liaison (a matter's requester, a staff member) masked as the matter page does."""
        if self.channel == Channel.EMAIL and self.liaison_id is None and self.campaign_id is None:
            return mask_email(self.to)
        return mask_address(self.to)

    @property
    def idempotency_key(self) -> str:
        """What the gateway uses to refuse a second delivery of this message."""
        return f"outbox-{self.pk}"


class CampaignCount(models.Model):
    """How many of a campaign's messages are in one status (and of them, how many a receipt
    confirmed delivered), per grid area of their enterprise now (NULL: no enterprise, or one
    in no grid). Derived data, kept by the database in the transaction of every write to the
    outbox and of every enterprise's move to another grid (statement triggers,
    outreach.sql.campaign_counts), so the progress poll reads a few rows, not the messages;
    rebuilt from scratch by ``manage.py campaign_counts_rebuild``. The grid is a plain integer
    key: a row is a sum, not a link. Rows that fall to zero stay (a status comes and goes)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="counts"
    )
    grid_id = models.IntegerField(null=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboxMessage.Status.choices)
    messages = models.IntegerField(default=0)
    delivered = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("campaign count")
        verbose_name_plural = _("campaign counts")
        constraints = [
            # Also the poll's index: a campaign's rows, then a grid worker's grids among them.
            models.UniqueConstraint(
                fields=["campaign", "grid_id", "status"],
                name="campaign_count_key",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.grid_id}/{self.status}: {self.messages}"


class SmsOptOut(models.Model):
    """A mobile that replied TD / R / 退订: no more greeting or care SMS (never notices or the
    self-service code, which it did not opt out of)."""

    mobile = models.CharField(_("mobile"), max_length=20, unique=True)
    keyword = models.CharField(_("reply"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("opted out at"))

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return mask_address(self.mobile)
