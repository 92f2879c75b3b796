"""Tests: the development settings (embedded or configured services), made fast and quiet."""

from liaison_portal.settings.dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded import files: in a folder the tests' Celery worker subprocess reads too.
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"  # noqa: F405
# Tests clear the cache before each test (tests/conftest.py); on a Redis cache sharing the
# broker's database that would also wipe the Celery worker's queues. Only an explicit
# REDIS_URL gives the tests a Redis cache.
if not env_str("REDIS_URL", ""):  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite's light tests log failures at one frozen instant on one channel, each meant as an
# occasion; the occasion window's own tests (tests/monitoring/test_occasions.py) set it.
MONITOR_OCCASION_WINDOW_HOURS = 0
# With DATABASE_REPLICA_URL set, the suite's "replica" is the test database itself (Django's
# test mirror); the router keeps reads inside a test's transaction on the primary anyway. The
# real streaming replica is tests/liaison_portal/test_replica_streaming.py's own.
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
