"""The events staff hold for the liaisons, and the park's yearly training target."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models import Enterprise, Liaison

__all__ = ["Event", "EventInvitation", "EventSettings"]


class Event(models.Model):
    """One training, meeting or salon: when and where (a room, an online link or both)."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        MEETING = "meeting", _("Service-month meeting")
        SALON = "salon", _("Salon")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    # NULL: no limit on the number of attendees.
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    materials_note = models.TextField(_("materials"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_link=""), name="event_has_place_or_link"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["kind", "starts_at"], name="event_kind_starts_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.topic}"


class EventInvitation(models.Model):
    """An event's invitation of one liaison, and their answer (empty: not answered yet)."""

    class Answer(models.TextChoices):
        ATTEND = "attend", _("Will attend")
        DECLINE = "decline", _("Will not attend")
        DELEGATE = "delegate", _("Sends a colleague")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), related_name="invitations", on_delete=models.CASCADE
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), related_name="+", on_delete=models.CASCADE
    )
    liaison = models.ForeignKey(
        Liaison, verbose_name=_("liaison"), related_name="+", on_delete=models.CASCADE
    )
    invited_at = models.DateTimeField(_("invited at"))
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, blank=True)
    delegate_name = models.CharField(_("colleague's name"), max_length=50, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The reminder the day before (outreach.events.services.event_reminders_queue): set once,
    # in the statement that writes its SMS, so a second run reminds nobody twice.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    reminder = models.ForeignKey(
        "outreach.OutboxMessage",
        verbose_name=_("reminder"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Inviting the same audience again adds only the new liaisons (ON CONFLICT).
            models.UniqueConstraint(fields=["event", "liaison"], name="invitation_one_per_liaison"),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="invitation_answered_at_matches_answer",
            ),
        ]
        indexes = [models.Index(fields=["liaison", "event"], name="invitation_liaison_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.liaison_id} · {self.answer or '-'}"


class EventSettings(models.Model):
    """The park's targets for its events; one row (pk=1), edited by park admins in the admin."""

    trainings_per_year = models.PositiveSmallIntegerField(
        _("trainings a year (target)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The dashboard shows the trainings held this calendar year against it."),
    )

    class Meta:
        verbose_name = _("event settings")
        verbose_name_plural = _("event settings")

    def __str__(self) -> str:
        return str(_("event settings"))

    @classmethod
    def current(cls) -> "EventSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row
