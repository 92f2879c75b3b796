"""The personal link a liaison receives, and the one-time code that unlocks it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.messaging.models import Channel
from registry import clock
from registry.models import Enterprise, Liaison

__all__ = ["LiaisonWelcome", "SelfServiceLink"]


class SelfServiceLink(models.Model):
    """One link, bound to one enterprise, one liaison (at one version of their entry) and one
    purpose. Only the SHA-256 of the token is stored: the database alone cannot open a link.

    One table, its columns in parts, each with the service module that writes it
    (outreach.selfservice.services): whom the link is for and how it was sent (links,
    channel); while it works (links; ``state``); the one-time codes (codes); wrong codes and
    the lockout (lockout); what the liaison accepted (links.link_spend); "I am leaving"
    (handover).
    """

    class Purpose(models.TextChoices):
        CHECK = "check", _("Confirm or correct details")

    # --- Whom it is for, and how it was sent ------------------------------------------------------
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="selfservice_links",
        on_delete=models.CASCADE,
        # selfservice_enterprise_idx starts with it; each index costs a bulk send its share.
        db_index=False,
    )
    liaison = models.ForeignKey(
        Liaison,
        verbose_name=_("liaison"),
        related_name="selfservice_links",
        on_delete=models.CASCADE,
    )
    # The liaison's row version when the link was sent: any change since (a staff
    # correction, a handover) makes the link stale.
    liaison_version = models.PositiveIntegerField()
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.CHECK
    )
    # How it was sent (the message itself is in the outbox). A database default too: bulk
    # sends insert links with SQL.
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, db_default=Channel.SMS
    )
    # Unique by a named constraint, not unique=True: that would add a second, LIKE-only
    # index on a column only ever looked up by equality.
    token_hash = models.CharField(max_length=64)
    # No index on who sent or revoked a link: nothing reads links by person, and deleting a
    # user (rare) may scan; every index is written 100k times by a park-wide details check.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
    )
    # The campaign that sent it in bulk; NULL: sent one at a time (staff, a handover) or by
    # the outreach plan (then created_by is NULL too).
    campaign = models.ForeignKey(
        "outreach.Campaign",
        verbose_name=_("campaign"),
        related_name="selfservice_links",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    # --- While it works (state) -------------------------------------------------------------------
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
    )
    superseded_at = models.DateTimeField(_("replaced by a newer link at"), null=True, blank=True)

    # --- The one-time codes (services/codes.py) ---------------------------------------------------
    # The code that unlocks the link, sent to the mobile on file: an HMAC keyed by
    # SECRET_KEY (a 6-digit code's plain hash is reversed by trying all million values);
    # empty: none outstanding.
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_tries_left = models.PositiveSmallIntegerField(default=0)
    # When the right code was entered (the link then lives in the server-side session).
    unlocked_at = models.DateTimeField(_("code entered at"), null=True, blank=True)
    # The code sent to a NEW mobile the liaison typed into the form: bound to that number
    # (HMAC over link, number and code), so the number is not kept here; the registry keeps
    # the old one until the right code comes back (services/details.py).
    # Database defaults: links are also inserted in bulk by SQL (outreach/sql/selfservice.py).
    mobile_code_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    mobile_code_expires_at = models.DateTimeField(null=True, blank=True)
    mobile_code_tries_left = models.PositiveSmallIntegerField(default=0, db_default=0)

    # --- Wrong codes (services/lockout.py) --------------------------------------------------------
    # Wrong codes entered over the link's lifetime, whatever code they were for; at
    # SELF_SERVICE_WRONG_CODES_MAX the link is locked for good (a database default: bulk
    # sends insert links with SQL).
    wrong_codes = models.PositiveSmallIntegerField(_("wrong codes entered"), db_default=0)
    locked_at = models.DateTimeField(_("locked after wrong codes at"), null=True, blank=True)

    # --- What the liaison accepted ----------------------------------------------------------------
    # The data-use notice the liaison accepted (its version) and the separate consent to
    # the ID number being kept.
    notice_version = models.CharField(_("notice version accepted"), max_length=20, blank=True)
    notice_accepted_at = models.DateTimeField(_("notice accepted at"), null=True, blank=True)
    id_number_consent_at = models.DateTimeField(
        _("consent to the ID number at"), null=True, blank=True
    )

    # --- "I am leaving" (services/handover.py) ----------------------------------------------------
    # "I am leaving": what the liaison reported, until staff confirm it (then the successor
    # becomes the liaison and gets their own link).
    leaving_on = models.DateField(_("last day reported"), null=True, blank=True)
    successor_name = models.CharField(_("successor's name"), max_length=50, blank=True)
    successor_mobile = models.CharField(_("successor's mobile"), max_length=20, blank=True)
    handover_confirmed_at = models.DateTimeField(_("handover confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        constraints = [
            # Resolving a token looks its hash up here.
            models.UniqueConstraint(fields=["token_hash"], name="selfservice_token_hash_unique"),
        ]
        indexes = [
            # "Supersede the liaison's open links" when a newer one is sent.
            models.Index(
                fields=["liaison"],
                condition=Q(
                    used_at__isnull=True, revoked_at__isnull=True, superseded_at__isnull=True
                ),
                name="selfservice_open_link_idx",
            ),
            # The enterprise page's list of links sent.
            models.Index(fields=["enterprise", "-created_at"], name="selfservice_enterprise_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.liaison_id} · {self.created_at:%Y-%m-%d}"

    STATE_OPEN = "open"
    # Why a link no longer works, as the friendly page and the enterprise page name it.
    STATES = {
        STATE_OPEN: _("open"),
        "revoked": _("withdrawn"),
        "locked": _("locked after too many wrong codes"),
        "used": _("used"),
        "superseded": _("replaced by a newer link"),
        "expired": _("expired"),
        "liaison_changed": _("the liaison's entry changed since"),
    }

    def state(self) -> str:
        """``STATE_OPEN`` while the link may be used, else the first reason it may not (a key of
        STATES; services.LinkInvalid subclasses carry the same names)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.locked_at is not None:
            return "locked"
        if self.used_at is not None:
            return "used"
        if self.superseded_at is not None:
            return "superseded"
        if self.expires_at <= clock.now():
            return "expired"
        liaison = self.liaison
        if (
            liaison.ended_on is not None
            or liaison.version != self.liaison_version
            or liaison.enterprise_id != self.enterprise_id
        ):
            return "liaison_changed"
        return self.STATE_OPEN

    def get_state_display(self) -> str:
        return str(self.STATES[self.state()])


class LiaisonWelcome(models.Model):
    """A new liaison period was welcomed (outreach.selfservice.welcome): one row per liaison
    row — a liaison row is one period — unique, so every door, a re-run, a retried task and
    two doors at once welcome a new liaison once. Written in the transaction that started
    the period, with the welcome SMS, its link and its contact."""

    liaison = models.OneToOneField(
        Liaison, verbose_name=_("liaison"), related_name="+", on_delete=models.CASCADE
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="+",
        on_delete=models.CASCADE,
        db_index=False,  # read by liaison only; each index costs an import of 100k its share
    )
    door = models.CharField(_("door"), max_length=20)
    created_at = models.DateTimeField(_("welcomed at"))

    class Meta:
        verbose_name = _("liaison welcome")
        verbose_name_plural = _("liaison welcomes")

    def __str__(self) -> str:
        return f"{self.liaison_id} · {self.created_at:%Y-%m-%d}"
