"""The registry: who the park's enterprises are and how to reach them.

History: every insert, update and delete of these tables is written by a database trigger
(django-pghistory), so bulk writes of the import are kept as surely as a staff edit. The
``door`` and ``user`` of a change travel in the pghistory context set by registry.services.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.address_key import TYPED_FROM, TYPED_TO
from registry.bulk_history import AnyChangeOutsideBulkHistory, OutsideBulkHistory
from registry.fields import (
    CleanCharField,
    ExecutivesField,
    IDNumberField,
    MobileField,
    NormalisedEmailField,
    PhoneField,
    USCCField,
)
from registry.normalize import mask_phone, parse_executives
from registry.sql.security_log import PURGE_SWITCH


def _history(*, exclude: tuple[str, ...] = ()):
    # Fresh tracker instances per model: pghistory binds each instance to one event model.
    # The conditions let a set-based writer record the events itself (registry.bulk_history).
    # ``exclude``: columns the database derives from others (a generated column), which say
    # nothing the history does not already hold.
    return pghistory.track(
        pghistory.InsertEvent(condition=OutsideBulkHistory()),
        pghistory.UpdateEvent(condition=AnyChangeOutsideBulkHistory()),
        pghistory.DeleteEvent(condition=OutsideBulkHistory()),
        exclude=list(exclude) or None,
    )


class Door(models.TextChoices):
    """Through which door a change came in; kept with every history event."""

    STAFF = "staff", _("Staff edit")
    IMPORT = "import", _("Spreadsheet import")
    SELF_SERVICE = "self_service", _("Liaison self-service")
    SYSTEM = "system", _("System rule")


@_history()
class GridArea(models.Model):
    """A grid area (网格) of the park, worked by its grid workers."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=100, unique=True)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid workers"),
        related_name="grid_areas",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid area")
        verbose_name_plural = _("grid areas")

    def __str__(self) -> str:
        return self.name


def address_as_typed(field: str) -> Upper:
    """upper(translate(<field>, TYPED_FROM, TYPED_TO)): the expression of the addresses'
    trigram indexes, as registry.sql.buildings writes it in its LIKE."""
    return Upper(
        Func(F(field), Value(TYPED_FROM), Value(TYPED_TO), function="translate"),
    )


# The initials of the name's pinyin: its second word (registry.pinyin.name_pinyin).
PINYIN_INITIALS = Func(F("name_pinyin"), Value(" "), Value(2), function="split_part")


@_history(exclude=("tier", "name_pinyin"))
class Enterprise(models.Model):
    class Size(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        RELOCATING = "relocating", _("Relocating")
        DEREGISTERING = "deregistering", _("Deregistering")
        DEREGISTERED = "deregistered", _("Deregistered")
        LISTED_ABNORMAL = "listed_abnormal", _("Listed as abnormal")

    class Tier(models.TextChoices):
        KEY = "key", _("Key")
        GENERAL = "general", _("General")

    uscc = USCCField(_("unified social credit code"), unique=True)
    name = CleanCharField(_("enterprise name"), max_length=200)
    # The name's pinyin and initials for the search (registry.pinyin.name_pinyin), written
    # with the name by every writer: PostgreSQL cannot compute it (not in the history: it
    # says nothing the name does not).
    name_pinyin = models.CharField(
        _("name in pinyin"),
        max_length=1000,
        blank=True,
        default="",
        # A row written by SQL that does not name it (a bench's seed, a park's own loader)
        # gets '' and the search misses it until `pinyin_backfill`.
        db_default="",
        editable=False,
    )
    registered_address = CleanCharField(_("registered address"), max_length=300)
    operating_address = CleanCharField(_("operating address"), max_length=300, blank=True)
    grid = models.ForeignKey(
        GridArea,
        verbose_name=_("grid area"),
        related_name="enterprises",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    industry = CleanCharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    key_taxpayer = models.BooleanField(_("key taxpayer"), default=False)
    pre_approval = models.BooleanField(_("pre-approval industry"), default=False)
    marked_key = models.BooleanField(
        _("marked key by an admin"),
        default=False,
        help_text=_("Treat as a key enterprise even if neither flag above is set."),
    )
    # The tier (domain.md, 分级定期触达): key when a key taxpayer, in a pre-approval industry or
    # marked by an admin, else general. Computed by the database on every write and stored,
    # so the ORM, the list's filter, the API and the planner's SQL all read this one column.
    tier = models.GeneratedField(
        expression=models.Case(
            models.When(
                Q(key_taxpayer=True) | Q(pre_approval=True) | Q(marked_key=True),
                then=models.Value(Tier.KEY.value),
            ),
            default=models.Value(Tier.GENERAL.value),
        ),
        output_field=models.CharField(max_length=10, choices=Tier.choices),
        db_persist=True,
        verbose_name=_("tier"),
    )
    registered_phone = PhoneField(_("registered phone"), blank=True)
    annual_report_phone = PhoneField(_("annual-report phone"), blank=True)
    legal_representative = CleanCharField(_("legal representative"), max_length=50, blank=True)
    legal_representative_backup_phone = PhoneField(
        _("legal representative's backup phone"), blank=True
    )
    # 经营范围 and the executives: a change of either is a major change (monitoring's rule).
    # A database default too: set-based writers that name their columns need not know them.
    business_scope = CleanCharField(
        _("business scope"), max_length=2000, blank=True, default="", db_default=""
    )
    executives = ExecutivesField(
        _("executives"),
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Directors, supervisors and senior managers: 董事：张三、李四；监事：王五；高管：赵六"
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPERATING
    )
    # Sensitive: shown masked unless the user holds registry.view_sensitive.
    beneficial_owner = CleanCharField(_("beneficial owner"), max_length=100, blank=True)
    tax_residency = CleanCharField(_("tax residency"), max_length=100, blank=True)
    # The building it is in (registry/buildings), set when staff confirm a suggestion made
    # from its address; its history is the enterprise's.
    building = models.ForeignKey(
        "registry.Building",
        verbose_name=_("building"),
        related_name="enterprises",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # Optimistic concurrency: a save carries the version it read; a stale one is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            # The list page's partial search (LIKE '%…%'): trigram indexes for codes and
            # numbers; names are searched through the bigram index of migration 0003, since
            # most Chinese searches are two characters long, too short for trigrams.
            GinIndex(fields=["uscc"], opclasses=["gin_trgm_ops"], name="enterprise_uscc_trgm"),
            # The search by pinyin, initials and with typos (registry.sql.search): LIKE and
            # word similarity (<%) on the name's pinyin.
            GinIndex(
                fields=["name_pinyin"], opclasses=["gin_trgm_ops"], name="enterprise_pinyin_trgm"
            ),
            # Two letters are the initials of a two-character word (hx: 华信), too short for
            # trigrams: the initials' bigrams (portal_bigrams, migration 0003), as
            # registry.sql.search writes the expression.
            GinIndex(
                Func(PINYIN_INITIALS, function="portal_bigrams"),
                name="enterprise_initials_bigram",
            ),
            GinIndex(
                fields=["registered_phone"],
                opclasses=["gin_trgm_ops"],
                name="enterprise_phone_trgm",
            ),
            # One building saved finds the addresses holding its street's name by a LIKE on
            # the address as typed (registry.sql.buildings): without these, both columns are
            # read in full (about 1 s at 100,000 enterprises). The operating address's is
            # partial: most rows leave it empty, and the import then does not maintain it.
            GinIndex(
                OpClass(address_as_typed("registered_address"), name="gin_trgm_ops"),
                name="enterprise_reg_addr_trgm",
            ),
            GinIndex(
                OpClass(address_as_typed("operating_address"), name="gin_trgm_ops"),
                name="enterprise_op_addr_trgm",
                condition=~Q(operating_address=""),
            ),
            models.Index(fields=["name", "id"], name="enterprise_name_idx"),
            models.Index(fields=["grid", "name"], name="enterprise_grid_name_idx"),
            models.Index(fields=["updated_at"], name="enterprise_updated_idx"),
        ]
        permissions = [
            ("view_sensitive", _("Can see ID numbers, beneficial owners and tax residency")),
            ("view_full_phone", _("Can see full phone numbers")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"

    @property
    def executive_list(self) -> list[tuple[str, str]]:
        """[(role, name), …] of the stored line, for the pages."""
        return parse_executives(self.executives)

    @property
    def current_liaison(self) -> "Liaison | None":
        # Uses the prefetch cache when the list selector has filled it.
        currents = [liaison for liaison in self.liaisons.all() if liaison.ended_on is None]
        return currents[0] if currents else None


@_history()
class Liaison(models.Model):
    """A person who holds the liaison role for an enterprise over a period.

    Replacing a liaison ends this period and starts a new row; nobody is overwritten.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), related_name="liaisons", on_delete=models.CASCADE
    )
    name = CleanCharField(pgettext_lazy("person", "name"), max_length=50)
    position = CleanCharField(_("position"), max_length=50, blank=True)
    mobile = MobileField(_("mobile"))
    landline = PhoneField(_("landline"), blank=True)
    email = NormalisedEmailField(_("e-mail"), blank=True)
    wechat = CleanCharField(_("WeChat"), max_length=50, blank=True)
    id_number = IDNumberField(_("ID number"), blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    consent_at = models.DateTimeField(_("accepted the data-use notice at"), null=True, blank=True)
    consent_version = models.CharField(_("data-use notice version"), max_length=20, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enterprise", "-started_on", "-id"]
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        constraints = [
            # Exactly one current liaison per enterprise (or none): the database holds the
            # rule, so two concurrent replacements cannot both win.
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(ended_on__isnull=True),
                name="liaison_one_current_per_enterprise",
                violation_error_message=_("This enterprise already has a current liaison."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="liaison_period_ends_after_start",
                violation_error_message=_("A liaison's period cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["mobile"], name="liaison_mobile_idx"),
            # Agents who serve several enterprises (registry.sql.agents): found by ID number.
            models.Index(
                fields=["id_number"],
                condition=Q(ended_on__isnull=True) & ~Q(id_number=""),
                name="liaison_current_id_number_idx",
            ),
            # The list page's partial search by the liaison's phone (names: migration 0003).
            GinIndex(fields=["mobile"], opclasses=["gin_trgm_ops"], name="liaison_mobile_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def masked_mobile(self) -> str:
        """What lists show: the number as anyone may see it."""
        return mask_phone(self.mobile)


@_history()
class EmergencyContact(models.Model):
    """Someone outside daily operations to call when the company cannot be reached."""

    enterprise = models.OneToOneField(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="emergency_contact",
        on_delete=models.CASCADE,
    )
    name = CleanCharField(pgettext_lazy("person", "name"), max_length=50)
    relation = CleanCharField(_("relation"), max_length=50, blank=True)
    phone = PhoneField(_("phone"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")

    def __str__(self) -> str:
        return self.name


class AnnualReport(models.Model):
    """Whether an enterprise filed its annual report for a year (企业信息公示暂行条例 art. 8:
    by 30 June of the next year). One row per enterprise and year; no row: not known to be
    filed. Staff toggle it on the enterprise page; the API and the import set it."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="annual_reports",
        on_delete=models.CASCADE,
    )
    year = models.PositiveSmallIntegerField(_("report year"))
    filed = models.BooleanField(_("filed"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"], name="annualreport_one_per_enterprise_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="annualreport_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.year} · {self.filed}"


class SensitiveView(models.Model):
    """One view of protected values: who, when, which enterprise, which fields, how, from
    where. A "show" is one row for its one field; an export is one row naming every column
    it showed in full; a whole-number search by a role that may not see full numbers is one
    row (search). Never the values themselves: ``detail`` holds masked numbers and counts.

    Written by registry.services (sensitive_value_reveal, sensitive_lookup_record) and by
    exports; auditors and admins read it (/sensitive-views/).
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")
        EXPORT = "export", _("Export")
        SEARCH = "search", _("Search by a whole number")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        related_name="sensitive_views",
        on_delete=models.SET_NULL,
        null=True,
    )
    record = models.CharField(_("record"), max_length=30)
    record_id = models.CharField(_("record id"), max_length=30)
    field = models.CharField(_("field"), max_length=50, blank=True)
    # Every field the view showed, as "record.field" (liaison.mobile): one for a "show",
    # all the columns shown in full for an export. What the log filters by.
    fields = ArrayField(
        models.CharField(max_length=60), verbose_name=_("fields"), default=list, blank=True
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("sensitive field view")
        verbose_name_plural = _("sensitive field views")
        indexes = [
            # The log's "which field" filter (fields @> ARRAY['liaison.mobile']).
            GinIndex(fields=["fields"], name="sensitiveview_fields_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {', '.join(self.fields)} · {self.viewed_at:%Y-%m-%d %H:%M}"


class ImportRun(models.Model):
    """One upload of a registry spreadsheet: the file, who sent it, the check's preview, the
    import's summary. Kept for good; the history events it wrote carry its id
    (``import_run`` in the pghistory context), so a timeline can say "from import #12"."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
        SKIP_INVALID = "skip_invalid", _("Import the valid rows, leave out the invalid ones")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        UNREADABLE = "unreadable", _("File cannot be read")
        QUEUED = "queued", _("Waiting to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Nothing imported: invalid rows")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        related_name="import_runs",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Under MEDIA_ROOT, so the Celery worker (another process, maybe another machine with the
    # same storage) reads exactly what was uploaded.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    mode = models.CharField(
        _("mode"), max_length=20, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    status = models.CharField(
        # The run's state, not an enterprise's (经营状态): its own translation.
        pgettext_lazy("import run", "status"),
        max_length=20,
        choices=Status.choices,
        default=Status.CHECKING,
    )
    # Grid areas the file names that the registry lacks: created (those the preview listed)
    # only when the admin confirmed it; otherwise the rows naming them are invalid.
    create_grids = models.BooleanField(_("create the new grid areas"), default=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # The worker's lease: renewed while it works (runs._ProgressWriter). A checking or
    # importing run whose lease has run out lost its worker (runs.import_runs_expire).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    preview = models.JSONField(_("check result"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    @property
    def is_working(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.QUEUED, self.Status.IMPORTING}


class HolidayYear(models.Model):
    """A year's holidays and make-up working days as the State Council's notice sets them
    (published each November for the next year), entered by a park admin.

    An entered year is the whole arrangement of that year: it takes precedence over the
    ``chinese_calendar`` package, and a day it does not list is an ordinary day (Monday to
    Friday work). registry.workdays reads it; registry.holidays writes it.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = CleanCharField(
        _("notice"),
        max_length=100,
        help_text=_("The official notice, e.g. 国办发明电〔2026〕7号"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    """One day of an entered year: a public holiday, or a weekend day worked instead (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    holiday_year = models.ForeignKey(
        HolidayYear, verbose_name=_("year"), related_name="days", on_delete=models.CASCADE
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = CleanCharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "workday"]), name="holidayday_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class SecurityEvent(models.Model):
    """One row of the security log (等保 level 2, 7.1.4.3 安全审计; 网络安全法 art. 21: kept
    at least six months): who did what, when, from which address.

    Written by registry.security_log only, and never changed: the database refuses any
    UPDATE, any TRUNCATE and any DELETE except the nightly purge of rows older than
    ``SECURITY_LOG_KEEP_DAYS`` (never younger than 183 days; the triggers below), whichever
    door the statement comes through. It holds no liaison's
    personal data (a reveal names the record and field, never the value), so the retention
    run has nothing to erase here.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Login locked")
        LOCK_RESET = "lock_reset", _("Login lock lifted")
        LOGOUT = "logout", _("Logged out")
        USER_CREATED = "user_created", _("Account created")
        ROLE_CHANGED = "role_changed", _("Role changed")
        USER_DEACTIVATED = "user_deactivated", _("Account switched off")
        USER_ACTIVATED = "user_activated", _("Account switched on")
        GRID_CHANGED = "grid_changed", _("Grid area changed")
        REVEAL = "reveal", _("Protected value shown")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        RETENTION_RUN = "retention_run", _("Personal data past its retention period erased")
        LOG_PURGE = "log_purge", _("Security log rows past their retention period removed")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
        SECOND_FACTOR_MISSING = "second_factor_missing", _("Token refused: no second factor")
        PASSWORD_SET_BY_ADMIN = "password_set_by_admin", _("Password set by an admin")
        PASSWORD_CHANGED = "password_changed", _("Password changed by its owner")
        AUTHENTICATOR_ENROLLED = "authenticator_enrolled", _("Authenticator app set up")

    at = models.DateTimeField(_("when"))
    action = models.CharField(_("what"), max_length=30, choices=Action.choices)
    # NULL: nobody logged in (a failed login, the nightly runs). The name is kept beside it:
    # a failed login names an account that may not exist.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
    )
    username = models.CharField(_("account"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    target = models.CharField(_("concerning"), max_length=200, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("security log entry")
        verbose_name_plural = _("security log")
        indexes = [
            # The log page, newest first, and the nightly purge (at < cutoff).
            models.Index(fields=["-at", "-id"], name="securityevent_time_idx"),
            # The page's filters: one kind of event, or one account's events.
            models.Index(fields=["action", "-at"], name="securityevent_action_idx"),
            models.Index(fields=["username", "-at"], name="securityevent_username_idx"),
        ]
        triggers = [
            # Append-only, whoever asks: the portal, the Django admin, a shell.
            pgtrigger.Protect(name="security_log_no_update", operation=pgtrigger.Update),
            # Only the purge deletes, and says so for its own transaction
            # (registry.security_log.security_log_purge); even then never a row younger than
            # 183 days (网络安全法 art. 21: six months). The purge decides by Python's clock
            # and SECURITY_LOG_KEEP_DAYS (refused below 183); the database's now() here is
            # only a safety floor, not the decision.
            pgtrigger.Protect(
                name="security_log_delete_by_purge_only",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition(
                    f"current_setting('{PURGE_SWITCH}', true) IS DISTINCT FROM 'on'"
                    " OR OLD.at >= now() - interval '183 days'"
                ),
            ),
            # TRUNCATE fires no row trigger: refused as a statement (pgtrigger's Protect has
            # no statement-level TRUNCATE, hence a plain trigger).
            pgtrigger.Trigger(
                name="security_log_no_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '—'} {self.action}"


# Buildings and their people (registry/buildings): same app, own module.
from registry.buildings.models import (  # noqa: E402, F401
    Building,
    BuildingContact,
    BuildingSuggestion,
)
