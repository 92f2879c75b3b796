"""Outreach: the contact log, the to-dos (tasks) and the plan of regular contacts.

Writes go through outreach.services; this module holds tables, constraints and choices.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.planner import PERIOD_MONTHS
from registry.models import Enterprise, Liaison


class ContactAttempt(models.Model):
    """One attempt to reach an enterprise's liaison: who, when, how, and what came of it."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WECHAT = "wechat", _("WeChat / WeCom")
        VISIT = "visit", _("On-site visit")
        LETTER = "letter", _("Letter / e-mail")
        SMS = "sms", _("SMS")
        SELF_SERVICE = "self_service", _("Self-service")
        # A report from outside logged as a failed contact (monitoring.signals).
        REPORT = "report", _("Report from outside")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy / call back")
        NOT_IN_SERVICE = "not_in_service", _("Number not in service")
        WRONG_PERSON = "wrong_person", _("Wrong person")
        LEFT = "left", _("Liaison has left")
        BOUNCED = "bounced", _("Bounced / undelivered")
        REFUSED = "refused", _("Refused")
        # A message that asks nothing (the new liaison's welcome): neither reached nor not.
        SENT = "sent", _("Sent (no answer awaited)")
        # Someone outside reported the enterprise unreachable (monitoring's signals): counted
        # as a failure like no answer, but not a call nobody answered.
        REPORTED = "reported", _("Reported unreachable")

        @classmethod
        def system_only(cls) -> frozenset[str]:
            """Outcomes the portal writes itself, never chosen by a person logging a contact."""
            return frozenset({cls.SENT, cls.REPORTED})

        @classmethod
        def is_success(cls, outcome: str) -> bool:
            """Only reaching the liaison counts; every other outcome is a failed attempt."""
            return outcome == cls.REACHED

        @classmethod
        def uncounted(cls) -> frozenset[str]:
            """Outcomes the light and every failure count leave out: they reached nobody and
            failed nobody (a welcome sent; its bounce is logged as a failure of its own)."""
            return frozenset({cls.SENT.value})

        @classmethod
        def successes(cls) -> frozenset[str]:
            """For set-based queries: ``outcome__in=Outcome.successes()``."""
            return frozenset({cls.REACHED.value})

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="contact_attempts",
        on_delete=models.CASCADE,
    )
    liaison = models.ForeignKey(
        Liaison,
        verbose_name=_("liaison"),
        related_name="contact_attempts",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    occurred_at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    verified = models.BooleanField(
        _("details verified"),
        default=False,
        help_text=_("The liaison's details were checked and are right."),
    )
    # NULL: the system (e.g. the outbox reporting an undeliverable message).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [
            # The enterprise's timeline and the monitor's "consecutive failures" read
            # an enterprise's attempts newest first.
            models.Index(
                fields=["enterprise", "-occurred_at", "-id"], name="attempt_enterprise_time_idx"
            ),
            # The API's list across the registry, newest first.
            models.Index(fields=["-occurred_at", "-id"], name="attempt_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_outcome_display()}"

    @property
    def succeeded(self) -> bool:
        return self.Outcome.is_success(self.outcome)


class VisitEvidence(models.Model):
    """走访打卡: what a worker on site brought back with a visit logged from their phone — a
    photo of the door plate or signboard (checked by content, core.uploads) and, only when
    they ticked their consent, where their phone was at that moment. Personal-ish data:
    shown to those who may see full phones, kept ``EVIDENCE_KEEP_YEARS`` after the visit
    (outreach.retention), then emptied."""

    attempt = models.OneToOneField(
        ContactAttempt,
        verbose_name=_("contact attempt"),
        related_name="evidence",
        on_delete=models.CASCADE,
        primary_key=True,
    )
    photo = models.FileField(_("photo"), upload_to="visits/%Y/%m/", blank=True)
    photo_name = models.CharField(_("photo's file name"), max_length=120, blank=True)
    photo_type = models.CharField(_("photo's type"), max_length=50, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit evidence")
        verbose_name_plural = _("visit evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                    latitude__isnull=False,
                    longitude__isnull=False,
                ),
                name="visit_evidence_location_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Task(models.Model):
    """One to-do (待办) for a grid worker or the service staff about one enterprise."""

    class Kind(models.TextChoices):
        # The kinds outreach itself opens (registered by outreach.kinds.register_own_kinds).
        # Self-service, the desk and monitoring register more with
        # outreach.kinds.register_task_kind; the column is not limited to these.
        ROUTINE = "routine", _("Routine outreach")
        RECHECK_CALL = "recheck_call", _("Re-check call")
        ONSITE_VERIFICATION = "onsite_verification", _("On-site verification")
        HANDOVER = "handover", _("Liaison handover")
        INFO_CHECK = "info_check", _("Information check")
        # What staff agreed with an enterprise, set by hand (from a logged contact or visit,
        # a matter or the enterprise page): done when a person closes it.
        FOLLOW_UP = "follow_up", _("Follow-up")

    class Source(models.TextChoices):
        PLAN = "plan", _("Outreach plan")
        RULE = "rule", _("Rule")
        MANUAL = "manual", _("Manual")
        SELF_SERVICE = "self_service", _("Liaison self-service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), related_name="tasks", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=40)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # NULL: the service staff's pool (no grid worker for the enterprise's grid).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        related_name="outreach_tasks",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    due_on = models.DateField(_("due on"))
    suggested_channel = models.CharField(
        _("suggested channel"), max_length=20, choices=ContactAttempt.Channel.choices, blank=True
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # What closed it: an attempt that answered it, or a person (with a note).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    closed_by_attempt = models.ForeignKey(
        ContactAttempt,
        verbose_name=_("closed by the attempt"),
        related_name="closed_tasks",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    close_note = models.TextField(_("closing note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            # At most one open task per enterprise and kind, except manual follow-ups (each
            # open point agreed is a task of its own). task_open, the planner and the
            # monitor's rules insert with ON CONFLICT against this index
            # (outreach.sql.tasks.on_conflict_open), so two runs at once cannot both create one.
            models.UniqueConstraint(
                fields=["enterprise", "kind"],
                condition=Q(status="open") & ~Q(kind="follow_up"),
                name="task_one_open_per_enterprise_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="done", closed_at__isnull=False),
                name="task_closed_at_matches_status",
            ),
        ]
        indexes = [
            # "My tasks" and /api/tasks/: a worker's open tasks by due date.
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(status="open"),
                name="task_open_assignee_due_idx",
            ),
            # Staff's view of every open task by due date (overdue first).
            models.Index(fields=["due_on"], condition=Q(status="open"), name="task_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} · {self.enterprise_id} · {self.due_on}"

    @property
    def kind_label(self) -> str:
        from outreach.kinds import task_kind_label

        return task_kind_label(self.kind)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class OutreachPolicy(models.Model):
    """How often each tier is contacted, and which channel suits which purpose."""

    tier = models.CharField(_("tier"), max_length=10, choices=Enterprise.Tier.choices, unique=True)
    period_months = models.PositiveSmallIntegerField(
        _("contact every (months)"),
        choices=[(m, str(m)) for m in PERIOD_MONTHS],
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Periods run from 1 January: 3 = every quarter, 6 = every half year."),
    )
    routine_channel = models.CharField(
        _("suggested channel for routine outreach"),
        max_length=20,
        choices=ContactAttempt.Channel.choices,
    )
    # The light touch (轻触达): this many days before a due contact the plan sends the
    # liaison a personal link by SMS; a confirmation through it re-plans the enterprise into
    # the next period, so no routine task is made. 0: off.
    link_days_ahead = models.PositiveSmallIntegerField(
        _("send the personal link (days before the contact)"),
        default=0,
        validators=[MaxValueValidator(60)],
        help_text=_(
            "0 = off. On a contact day this many days before an enterprise's due contact, the "
            "liaison is sent a personal link by SMS (if they have a mobile and no open link). "
            "If they confirm through it, no routine task is created; otherwise the task comes "
            "as usual a week before the due date, so use more than 7 days."
        ),
    )
    channel_notes = models.TextField(
        _("channel suggestions per purpose"),
        blank=True,
        help_text=_("Which channel fits which purpose, shown to whoever makes the contact."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["tier"]
        verbose_name = _("outreach policy")
        verbose_name_plural = _("outreach policies")

    def __str__(self) -> str:
        return str(self.get_tier_display())

    def clean(self):
        lead = int(getattr(settings, "OUTREACH_TASK_LEAD_DAYS", 7))
        if 0 < self.link_days_ahead <= lead:
            raise ValidationError(
                {
                    "link_days_ahead": _(
                        "The link would arrive together with the routine task: use more than "
                        "%(lead)s days, or 0 for none."
                    )
                    % {"lead": lead}
                }
            )


class EnterpriseOutreach(models.Model):
    """An enterprise's place in the plan: when it was last reached, when it is due next.

    Kept in outreach's own table (one row per enterprise), written set-based by the planner
    (outreach.services.plan) and per enterprise when an attempt succeeds.
    """

    enterprise = models.OneToOneField(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="outreach",
        on_delete=models.CASCADE,
        primary_key=True,
    )
    last_success_at = models.DateTimeField(_("last reached at"), null=True, blank=True)
    # NULL: not planned yet (the next plan_run plans it, e.g. after a bulk import of history).
    next_due_on = models.DateField(_("next contact due on"), null=True, blank=True)
    # The tier and period length next_due_on was planned with: a change of either re-plans.
    planned_tier = models.CharField(max_length=10, choices=Enterprise.Tier.choices)
    planned_months = models.PositiveSmallIntegerField()
    # True once the routine task of this due date was created (or found open).
    task_created = models.BooleanField(default=False)
    # The due date the plan last sent the liaison a personal link for (the light touch):
    # one link per due date, however often the plan runs.
    link_sent_for = models.DateField(
        _("personal link sent for the contact due on"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise outreach plan")
        verbose_name_plural = _("enterprise outreach plans")
        indexes = [
            # The periodic planner's "due and no task yet": next_due_on <= horizon.
            models.Index(
                fields=["next_due_on"],
                condition=Q(task_created=False),
                name="outreach_due_untasked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.next_due_on}"


# The outbox's models (campaigns, message templates, messages; SMS replies and removed
# opt-outs in outreach/messaging/inbound) live with their part of the app; Django discovers
# models in this module only, so they are gathered here.
# Events; at their door, check-in codes and attendance (outreach/events).
from outreach.events.door_models import *  # noqa: E402, F403
from outreach.events.models import *  # noqa: E402, F403
from outreach.materials.models import *  # noqa: E402, F403

# The first-contact desk's matters, departments and categories (outreach/matters).
from outreach.matters.models import *  # noqa: E402, F403
from outreach.messaging.inbound.models import *  # noqa: E402, F403
from outreach.messaging.models import *  # noqa: E402, F403

# WeCom group robots and their posts (outreach/messaging/wecom).
from outreach.messaging.wecom.models import *  # noqa: E402, F403

# The yearly recognition of liaisons (outreach/recognition).
from outreach.recognition.models import *  # noqa: E402, F403

# Liaison self-service's personal links (outreach/selfservice).
from outreach.selfservice.models import *  # noqa: E402, F403
