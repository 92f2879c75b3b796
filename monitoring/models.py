"""The monitor's tables: each enterprise's contact health (the light), every change of light,
the thresholds of the rules, and the emergency procedure with its evidence.

Writes go through monitoring.services.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from monitoring.light import Light
from outreach.models import ContactAttempt
from registry.models import Enterprise


class ContactHealth(models.Model):
    """One row per enterprise that has been contacted (no row: green, never tried).

    Written in the transaction of the attempt that changes it (monitoring.receivers) and
    set-based by the full recompute; the registry's list joins it (registry.listing) to show,
    filter and sort by the light.
    """

    class PauseReason(models.TextChoices):
        SUSPENDED = "suspended", _("Suspended")
        DEREGISTERING = "deregistering", _("Being deregistered")

    enterprise = models.OneToOneField(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="health",
        on_delete=models.CASCADE,
        primary_key=True,
    )
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, default=Light.GREEN)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    # When the present light began; NULL: green since the monitor started watching.
    light_since = models.DateTimeField(_("light since"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last reached at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    # Paused up to and including this day: failures are counted, the light does not escalate.
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    pause_reason = models.CharField(
        _("pause reason"), max_length=20, choices=PauseReason.choices, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact health")
        verbose_name_plural = _("contact health")
        indexes = [
            # The dashboard's counts and the list's light filter: yellow and red are few.
            models.Index(
                fields=["light", "light_since"],
                condition=~Q(light="green"),
                name="health_not_green_idx",
            ),
            # The daily sweep's "pauses that ended".
            models.Index(
                fields=["paused_until"],
                condition=Q(paused_until__isnull=False),
                name="health_paused_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.light} ({self.consecutive_failures})"

    def is_paused(self, today) -> bool:
        return self.paused_until is not None and self.paused_until >= today


class LightChange(models.Model):
    """One change of an enterprise's light: from, to, when, why, and which attempt."""

    class Reason(models.TextChoices):
        ATTEMPT = "attempt", _("Contact attempt")
        LATE_ATTEMPT = "late_attempt", _("Attempt logged late: history recomputed")
        PAUSE_ENDED = "pause_ended", _("Pause ended")
        RECOMPUTE = "recompute", _("Recomputed from the contact log")
        DEMO = "demo", _("Demo data")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="light_changes",
        on_delete=models.CASCADE,
    )
    from_light = models.CharField(_("from"), max_length=10, choices=Light.choices)
    to_light = models.CharField(_("to"), max_length=10, choices=Light.choices)
    at = models.DateTimeField(_("when"))
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"))
    attempt = models.ForeignKey(
        ContactAttempt,
        verbose_name=_("attempt"),
        related_name="light_changes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of light")
        verbose_name_plural = _("changes of light")
        indexes = [
            # The enterprise's timeline.
            models.Index(fields=["enterprise", "-at"], name="lightchange_enterprise_idx"),
            # The dashboard's trend and time-in-red, and /api/light-changes/.
            models.Index(fields=["-at", "-id"], name="lightchange_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.from_light} → {self.to_light}"


class DashboardDay(models.Model):
    """The dashboard's sums per grid and park day (issue 22), kept by statement triggers on
    enterprises, changes of light and contact health in the writer's transaction
    (monitoring/sql/dashboard_summary.py); only active (not deregistered) enterprises count,
    under their grid now. ``day`` is, per column: the day of the change (``red_delta``: +1
    into red, -1 out of it), of the enterprise's creation (``created``), of the end of a red
    spell (``spells``, ``spell_time``), of the present light's start (``yellow``, ``red``:
    the enterprises yellow or red now; NULL day: no start known)."""

    grid_id = models.IntegerField(null=True)  # no foreign key: a deleted grid's rows move
    day = models.DateField(null=True)
    red_delta = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    spells = models.IntegerField(default=0)
    spell_time = models.DurationField(default=datetime.timedelta)
    yellow = models.IntegerField(default=0)
    red = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grid_id", "day"], nulls_distinct=False, name="dashboard_day_key"
            )
        ]
        indexes = [
            # The red ages (days after 90 days ago), the red-spell average (the last twelve
            # months) and this month's part of the trend: a range of days across grids.
            models.Index(fields=["day"], name="dashboard_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.day}"


class DashboardMonth(models.Model):
    """``DashboardDay``'s sums but the spells per month (its first day), so the lights and
    the trend's twelve points read a few hundred rows, not every day since the park began."""

    grid_id = models.IntegerField(null=True)
    month = models.DateField(null=True)  # NULL: the yellow and red with no known start
    red_delta = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    yellow = models.IntegerField(default=0)
    red = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grid_id", "month"], nulls_distinct=False, name="dashboard_month_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.month}"


class DashboardTasks(models.Model):
    """The open tasks per grid (of their enterprise now), assignee and due day, kept by the
    same triggers as ``DashboardDay`` (and on tasks): the dashboard's load per worker and
    per grid, the overdue ones those due before today."""

    grid_id = models.IntegerField(null=True)
    assignee_id = models.IntegerField(null=True)  # NULL: the service staff's pool
    due_on = models.DateField()
    open = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grid_id", "assignee_id", "due_on"],
                nulls_distinct=False,
                name="dashboard_tasks_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.assignee_id} {self.due_on}: {self.open}"


class DashboardBuildings(models.Model):
    """The yellow and red active enterprises per grid and building, kept by the same
    triggers: the dashboard's buildings that stand out (房东联络群)."""

    grid_id = models.IntegerField(null=True)
    building_id = models.IntegerField()
    yellow = models.IntegerField(default=0)
    red = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grid_id", "building_id"],
                nulls_distinct=False,
                name="dashboard_buildings_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.building_id}: {self.red} red, {self.yellow} yellow"


class RuleSettings(models.Model):
    """The thresholds of the rules that create work; one row (pk=1), edited by park admins
    in the Django admin. Defaults are domain.md's."""

    stale_liaison_months = models.PositiveSmallIntegerField(
        _("liaison not updated or verified for (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    not_in_service_days = models.PositiveSmallIntegerField(
        _("number reported not in service for (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    frequent_changes_count = models.PositiveSmallIntegerField(
        _("liaison changes that call for attention"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
    )
    frequent_changes_months = models.PositiveSmallIntegerField(
        _("… within (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    major_change_days = models.PositiveSmallIntegerField(
        _("a major change calls for a check for (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "A change of legal representative, executives, business scope or address this "
            "recent opens a task to verify the liaison; a change of beneficial owner or tax "
            "residency this recent, a compliance-attention task."
        ),
    )
    dead_number_major_days = models.PositiveSmallIntegerField(
        _("a number not in service with a major change within (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Both together open one urgent task (call the legal representative's backup "
            "phone) instead of two."
        ),
    )
    region_change_weight = models.PositiveSmallIntegerField(
        _("extra weight of a liaison change from another province"),
        default=1,
        validators=[MaxValueValidator(5)],
        help_text=_(
            "Added to a change of liaison when the new liaison's ID number, or the new "
            "mobile's home province, differs from the previous liaison's; 0 turns it off."
        ),
    )
    # The dashboard's buildings that stand out (registry/buildings, 房东联络群).
    building_attention_count = models.PositiveSmallIntegerField(
        _("a building stands out with red or yellow enterprises (at least)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    task_due_days = models.PositiveSmallIntegerField(
        _("rule tasks are due after (days)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rule settings")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return str(_("Rule settings"))

    @classmethod
    def current(cls) -> "RuleSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class EmergencyProcedure(models.Model):
    """The three-step emergency procedure (应急预案 三步走) of a red enterprise."""

    class Step(models.IntegerChoices):
        VERIFICATION = 1, _("Multi-party verification")
        INQUIRY = 2, _("External inquiry")
        DISPOSITION = 3, _("Legal disposition")

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        REACHED = "reached", _("Ended: the liaison was reached")
        COMPLETED = "completed", _("Completed: evidence pack assembled")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="emergency_procedures",
        on_delete=models.CASCADE,
    )
    step = models.PositiveSmallIntegerField(
        _("step"), choices=Step.choices, default=Step.VERIFICATION
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by_attempt = models.ForeignKey(
        ContactAttempt, related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    proposal = models.TextField(
        _("proposal for listing in the abnormal-operations directory"), blank=True
    )
    evidence_pack = models.FileField(_("evidence pack"), upload_to="evidence/packs/", blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("emergency procedure")
        verbose_name_plural = _("emergency procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status="open"),
                name="procedure_one_open_per_enterprise",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.get_step_display()} · {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Evidence(models.Model):
    """One piece of evidence of a step: a letter, a call, an inquiry, a document."""

    class Kind(models.TextChoices):
        EMS_LETTER = "ems_letter", _("EMS letter to the registered address")
        EMERGENCY_CONTACT_CALL = "emergency_call", _("Call to the emergency contact")
        LEGAL_BACKUP_CALL = "legal_backup_call", _("Call to the legal representative's backup")
        LANDLORD = "landlord", _("Inquiry: landlord")
        PROPERTY = "property", _("Inquiry: property management")
        NEIGHBOUR = "neighbour", _("Inquiry: neighbouring company")
        DOCUMENT = "document", _("Other document")

    procedure = models.ForeignKey(
        EmergencyProcedure,
        verbose_name=_("procedure"),
        related_name="evidence",
        on_delete=models.CASCADE,
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=EmergencyProcedure.Step.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    who = models.CharField(_("who"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    summary = models.TextField(_("what they said / what happened"), max_length=2000, blank=True)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    # Step 2: the building's contact who was asked (registry/buildings); ``who`` keeps their
    # name as it was, should the contact be removed later.
    building_contact = models.ForeignKey(
        "registry.BuildingContact",
        verbose_name=_("building contact asked"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["step", "occurred_on", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_on}"


class MobileRegion(models.Model):
    """The home province of a block of mainland mobiles (their first seven digits), from the
    phonenumbers geocoder (monitoring.regions), so SQL can compare liaisons' provinces.
    Filled as the rules need blocks; "" when the geocoder cannot place the block."""

    prefix = models.CharField(_("first seven digits"), max_length=7, primary_key=True)
    province = models.CharField(_("province"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("mobile home province")
        verbose_name_plural = _("mobile home provinces")

    def __str__(self) -> str:
        return f"{self.prefix} {self.province}"


# Reports from outside share this app's label and migrations (monitoring/signals/).
from monitoring.signals.models import *  # noqa: E402, F403
