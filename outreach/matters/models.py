"""The first-contact desk's tables: departments, the category tree, matters and their steps.

Writes go through outreach.matters.services; this module holds tables, constraints, choices.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models import Enterprise, Liaison

__all__ = [
    "Department",
    "Matter",
    "MatterAttachment",
    "MatterCategory",
    "MatterDaySequence",
    "MatterDaySummary",
    "MatterMonthSummary",
    "MatterStep",
    "StandardAnswer",
]


class Department(models.Model):
    """A unit of the park that takes matters (企业服务科, 税务窗口…), managed by admins."""

    name = models.CharField(_("department name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        related_name="led_departments",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="matter_departments",
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class MatterCategory(models.Model):
    """A node of the admin-edited category tree, with its time limits."""

    name = models.CharField(_("category name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    resolution_workdays = models.PositiveSmallIntegerField(
        _("resolved within (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Counted with the park's holidays and make-up working days."),
    )
    # The department a matter of this category is usually routed to (a suggestion).
    default_department = models.ForeignKey(
        Department,
        verbose_name=_("usual department"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    position = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("matter category")
        verbose_name_plural = _("matter categories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="matter_category_unique_name",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class MatterDaySequence(models.Model):
    """The last number given on a day: ``SQ20261130-0007`` is the 7th of 30 November.

    Numbers are taken with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (services.
    numbering): the row lock serialises two intakes at once, and a rolled-back intake leaves a
    gap rather than a duplicate.
    """

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("matter number sequence")
        verbose_name_plural = _("matter number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Matter(models.Model):
    """One question, request or complaint an enterprise brought to the park."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Walk-in / visit")
        WECHAT = "wechat", _("WeChat / WeCom")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        SELF_SERVICE = "self_service", _("Self-service link")
        API = "api", _("Another system (API)")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        ROUTED = "routed", _("Routed")
        IN_PROGRESS = "in_progress", _("Being handled")
        RETURNED = "returned", _("Returned")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Feedback received")
        CLOSED = "closed", _("Closed")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        MOSTLY = "mostly", _("Mostly satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # NULL: a caller not yet identified; staff link the enterprise later.
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="matters",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # Set when the requester is the enterprise's liaison (then name and phone are theirs).
    liaison = models.ForeignKey(
        Liaison,
        verbose_name=_("liaison"),
        related_name="matters",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    requester_name = models.CharField(_("requester"), max_length=50, blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=20, blank=True)
    # Where the answer and the 回访 link go by e-mail (channel e-mail, or the requester's
    # choice); protected and erased like the phone.
    requester_email = models.EmailField(_("requester's e-mail"), max_length=254, blank=True)
    category = models.ForeignKey(
        MatterCategory,
        verbose_name=_("category"),
        related_name="matters",
        on_delete=models.PROTECT,
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"), max_length=4000)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    escalated = models.BooleanField(_("escalated to a lead"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        related_name="owned_matters",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        related_name="matters",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    received_at = models.DateTimeField(_("received at"))
    first_response_due = models.DateTimeField(_("first response due"))
    resolution_due = models.DateTimeField(_("resolution due"))
    # 80 % of each limit: when the owner is reminded (the beat task queries "<= now").
    first_response_remind_at = models.DateTimeField(null=True, blank=True)
    resolution_remind_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    # Not resolved yet: what happens next, and by when (the answer tells the requester).
    next_step = models.TextField(_("next step"), max_length=2000, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    # The last 催办, reminder or overdue step (the list's "chased / reminded" badge), kept by
    # the database as each such step is written (outreach.sql.matter_metrics): the list reads
    # a column instead of grouping every matter's steps.
    last_nudge_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The 回访 link: only the SHA-256 of its token is stored (outreach.selfservice.tokens).
    feedback_token_hash = models.CharField(max_length=64, blank=True)
    feedback_expires_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: every write is ``UPDATE … WHERE version = <seen>``.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The one-use key of the form or API call that took it in (the desk's page renders one; an
    # API client sends ``Idempotency-Key``): a double submit or a retry finds this matter
    # instead of taking the same call in twice. Unique per person who took it in.
    intake_key = models.CharField(max_length=64, blank=True)

    OPEN_STATES = (State.RECEIVED, State.ROUTED, State.IN_PROGRESS, State.RETURNED)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback_token_hash"],
                condition=~Q(feedback_token_hash=""),
                name="matter_feedback_token_unique",
            ),
            models.UniqueConstraint(
                fields=["created_by", "intake_key"],
                condition=~Q(intake_key=""),
                name="matter_intake_key_unique",
            ),
        ]
        indexes = [
            # 我的待办: an owner's open matters.
            models.Index(
                fields=["owner", "resolution_due"],
                condition=Q(state__in=["received", "routed", "in_progress", "returned"]),
                name="matter_open_owner_idx",
            ),
            # The reminders' beat task: open matters whose reminder time has come.
            models.Index(
                fields=["resolution_remind_at"],
                condition=Q(state__in=["received", "routed", "in_progress", "returned"]),
                name="matter_open_remind_idx",
            ),
            # The metrics page: matters by month of intake.
            models.Index(fields=["received_at"], name="matter_received_idx"),
            models.Index(fields=["enterprise", "-received_at"], name="matter_enterprise_idx"),
            # The metrics: the matters still unanswered whose first response is not due yet
            # (read live, the rest comes from the day summary).
            models.Index(
                fields=["first_response_due"],
                condition=Q(first_response_at__isnull=True),
                name="matter_unresponded_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class MatterStep(models.Model):
    """Every step of a matter is a row: who, when, what, why."""

    class Action(models.TextChoices):
        INTAKE = "intake", _("Taken in")
        ROUTE = "route", _("Routed")
        ESCALATE = "escalate", _("Escalated")
        TAKE = "take", _("Taken on")
        REROUTE = "reroute", _("Re-routed")
        RETURN = "return", _("Returned")
        ANSWER = "answer", _("Answered")
        RATE = "rate", _("Feedback")
        REOPEN = "reopen", _("Reopened")
        CLOSE = "close", _("Closed")
        LINK = "link", _("Enterprise identified")
        CHASE = "chase", _("Chased")
        REMIND = "remind", _("Reminder")
        OVERDUE = "overdue", _("Overdue")
        NOTE = "note", _("Note")
        ATTACH = "attach", _("Attachment added")

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), related_name="steps", on_delete=models.CASCADE
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=Matter.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Matter.State.choices, blank=True)
    # NULL: the system (a reminder) or the requester (feedback through the link).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("when"))
    # Whom it was handed to (a routing, a reminder's recipient).
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    to_department = models.ForeignKey(
        Department,
        verbose_name=_("to department"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("matter step")
        verbose_name_plural = _("matter steps")
        indexes = [models.Index(fields=["matter", "at"], name="matter_step_matter_idx")]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.get_action_display()}"


class MatterAttachment(models.Model):
    """A file brought with a matter (a notice, a photo of a letter): PDF, JPEG or PNG, checked
    by its content (core.uploads) and stored under MEDIA_ROOT by a name of our own; shown and
    downloaded under the name it came with."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), related_name="attachments", on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to="matters/%Y/%m/")
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("file type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("matter attachment")
        verbose_name_plural = _("matter attachments")

    def __str__(self) -> str:
        return self.name


class StandardAnswer(models.Model):
    """An answer the desk gives often (FAQ), kept by staff and admins, searched and inserted
    into an answer. Retired ones (``active`` off) are kept but no longer offered."""

    title = models.CharField(_("title"), max_length=100)
    category = models.ForeignKey(
        MatterCategory,
        verbose_name=_("category"),
        related_name="standard_answers",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    text = models.TextField(_("text"), max_length=4000)
    active = models.BooleanField(_("in use"), default=True)
    # The answered matter it was saved from, if any.
    source_matter = models.ForeignKey(
        Matter,
        verbose_name=_("saved from matter"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("standard answer")
        verbose_name_plural = _("standard answers")

    def __str__(self) -> str:
        return self.title


class SummaryCounts(models.Model):
    """What a metrics summary row sums over the matters of its key (abstract)."""

    category_id = models.IntegerField()
    department_id = models.IntegerField(null=True)
    grid_id = models.IntegerField(null=True)
    total = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    responded_in_time = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    mostly = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    # Sums of intervals, added and subtracted part by part (days, microseconds) as
    # PostgreSQL's AVG adds them: the averages come out exactly as over the matters.
    response_time = models.DurationField(default=datetime.timedelta)
    resolution_time = models.DurationField(default=datetime.timedelta)

    class Meta:
        abstract = True


class MatterDaySummary(SummaryCounts):
    """The metrics' sums: one row per day of intake (park time) × category (the leaf) ×
    department × grid area (the enterprise's, now), counting the matters received that day
    and summing their times. Derived data, kept by the database in the transaction of every
    write to matters, to their enterprises' grid or their departments (statement triggers,
    outreach.sql.matter_metrics); rebuilt from scratch by ``manage.py matter_metrics_rebuild``.
    Plain integer keys, no foreign keys: a row is a sum, not a link. The page reads whole
    months from ``MatterMonthSummary`` and only a period's partial months from here."""

    day = models.DateField()

    class Meta:
        verbose_name = _("matter day summary")
        verbose_name_plural = _("matter day summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "category_id", "department_id", "grid_id"],
                name="matter_day_summary_key",
                nulls_distinct=False,
            ),
        ]
        # The keys a move left empty, dropped by the same trigger (one small index scan).
        indexes = [
            models.Index(fields=["id"], condition=Q(total=0), name="matter_day_summary_empty_idx")
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.category_id}/{self.department_id}/{self.grid_id}"


class MatterMonthSummary(SummaryCounts):
    """The same sums by month of intake (its first day): what the page reads for every whole
    month of its period, a few hundred rows where the days are thousands."""

    month = models.DateField()

    class Meta:
        verbose_name = _("matter month summary")
        verbose_name_plural = _("matter month summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "category_id", "department_id", "grid_id"],
                name="matter_month_summary_key",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(total=0), name="matter_month_summary_empty_idx")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.category_id}/{self.department_id}/{self.grid_id}"
