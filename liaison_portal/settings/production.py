"""Production: every secret from the environment, HTTPS everywhere, no embedded services.

Refuses to start without SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL, ALLOWED_HOSTS,
SELF_SERVICE_BASE_URL (https) and a real SMS_BACKEND, and
`manage.py check --deploy` passes under it (a test holds it to that).
"""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from liaison_portal.env import env_bool, env_int, env_list, env_str
from liaison_portal.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the portal's host name(s).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL"), conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASE_REPLICA_URL:  # noqa: F405
    DATABASES["replica"] = replica_database(  # noqa: F405
        DATABASE_REPLICA_URL,  # noqa: F405
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        health_checks=True,
    )
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")

# Personal links are absolute: without the public address they would point at localhost.
SELF_SERVICE_BASE_URL = env_str("SELF_SERVICE_BASE_URL")
if not SELF_SERVICE_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "SELF_SERVICE_BASE_URL must be the portal's public https:// address, as liaisons "
        "open it from their phones."
    )
# The stand-in SMS backends print or record messages and send nothing: the codes that unlock
# personal links would never arrive. A real gateway's backend (outreach/messaging/backends.py).
SMS_BACKEND = env_str("SMS_BACKEND")
SMS_BACKEND = SMS_BACKEND_NAMES.get(SMS_BACKEND, SMS_BACKEND)  # noqa: F405
if SMS_BACKEND in STAND_IN_SMS_BACKENDS:  # noqa: F405
    raise ImproperlyConfigured(
        f"SMS_BACKEND={SMS_BACKEND} sends nothing; set SMS_BACKEND to aliyun or tencent (or "
        "your SMS gateway's backend, see outreach/messaging/backends.py)."
    )
# A real provider without its keys would refuse every message: refuse to start instead.
_sms_missing = [
    name
    for name in SMS_BACKEND_REQUIRED_SETTINGS.get(SMS_BACKEND, [])  # noqa: F405
    if not globals().get(name)
]
if _sms_missing:
    raise ImproperlyConfigured(
        f"SMS_BACKEND={SMS_BACKEND} needs {', '.join(_sms_missing)}: set them in the "
        "environment (README, configuration)."
    )

# A WeCom group robot's key travels in the webhook's query string: never over plain HTTP.
if not WECOM_WEBHOOK_BASE.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("WECOM_WEBHOOK_BASE must be an https:// address.")
# The SMS providers' push addresses carry this secret; a short one could be guessed.
SMS_CALLBACK_SECRET = env_str("SMS_CALLBACK_SECRET", "")
if SMS_CALLBACK_SECRET and len(SMS_CALLBACK_SECRET) < 32:
    raise ImproperlyConfigured(
        "SMS_CALLBACK_SECRET must be a random string of at least 32 characters (or empty: "
        "no delivery receipts or replies)."
    )

# HTTPS: the portal holds personal data. A TLS-terminating proxy in front sets the header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The container health check calls /healthz over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
