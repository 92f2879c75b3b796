"""At the door: each event's check-in code (the QR on the screen) and who came (a liaison
identified on their phone, or a walk-in staff match afterwards). A module of its own so
that the events' own tables stay as they are (outreach/events/models.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.events.models import Event
from registry.models import Enterprise, Liaison

__all__ = ["EventAttendance", "EventCheckinCode"]


class EventCheckinCode(models.Model):
    """The unguessable code in an event's check-in address (its QR). Staff rotate it (a
    photo of the screen went round): the old address stops working at once. Kept in clear:
    the staff page draws it; it opens only the check-in page, on the event's day."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), related_name="checkin_code", on_delete=models.CASCADE
    )
    code = models.CharField(_("check-in code"), max_length=43)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
    )

    class Meta:
        verbose_name = _("check-in code")
        verbose_name_plural = _("check-in codes")
        constraints = [
            # The public page looks the code up here.
            models.UniqueConstraint(fields=["code"], name="event_checkin_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}"


class EventAttendance(models.Model):
    """One person at an event: a liaison (identified by their personal link or a code to
    their mobile), or a walk-in with no record, matched by staff afterwards."""

    class How(models.TextChoices):
        LINK = "link", _("Personal link")
        CODE = "code", _("Mobile and SMS code")
        WALK_IN = "walk_in", _("Walk-in registration")

    class Resolution(models.TextChoices):
        MATCHED = "matched", _("Matched to a liaison")
        CANDIDATE = "candidate", _("New liaison candidate")
        DUPLICATE = "duplicate", _("Already checked in")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), related_name="attendances", on_delete=models.CASCADE
    )
    # NULL: a walk-in not matched yet (or a candidate). A matched walk-in gets both.
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="+",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    liaison = models.ForeignKey(
        Liaison,
        verbose_name=_("liaison"),
        related_name="+",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    how = models.CharField(_("checked in by"), max_length=10, choices=How.choices)
    # Whether the liaison was invited (an uninvited liaison is welcome, and counted apart).
    invited = models.BooleanField(_("invited"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"))
    # What a walk-in typed (a liaison's own details are the registry's).
    walk_in_name = models.CharField(_("name given"), max_length=50, blank=True)
    walk_in_mobile = models.CharField(_("mobile given"), max_length=20, blank=True)
    walk_in_enterprise = models.CharField(_("enterprise given"), max_length=200, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
    )
    # The successful contact the check-in recorded (the light turns green from it).
    contact_attempt = models.ForeignKey(
        "outreach.ContactAttempt",
        verbose_name=_("contact attempt"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
    )

    class Meta:
        ordering = ["event", "checked_in_at", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            # Checking in twice (two taps, two phones) is one attendance.
            models.UniqueConstraint(
                fields=["event", "liaison"],
                condition=Q(liaison__isnull=False),
                name="attendance_one_per_liaison",
            ),
            # The same walk-in registering twice is one row too (the retention run empties
            # the mobile of walk-ins past the period).
            models.UniqueConstraint(
                fields=["event", "walk_in_mobile"],
                condition=Q(how="walk_in") & ~Q(walk_in_mobile=""),
                name="attendance_one_walk_in_per_mobile",
            ),
            models.CheckConstraint(
                condition=Q(how="walk_in") | Q(liaison__isnull=False, enterprise__isnull=False),
                name="attendance_identified_has_liaison",
            ),
            models.CheckConstraint(
                condition=Q(how="walk_in") | Q(resolution=""),
                name="attendance_only_walk_ins_resolved",
            ),
        ]
        indexes = [
            # The enterprise page's events panel and the recognition's attendance by year.
            models.Index(
                fields=["liaison", "checked_in_at"],
                condition=Q(liaison__isnull=False),
                name="attendance_liaison_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.liaison_id or self.walk_in_name}"

    @property
    def to_match(self) -> bool:
        return self.how == self.How.WALK_IN and not self.resolution
