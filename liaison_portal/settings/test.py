"""Tests: the development settings (embedded or configured services), made fast and quiet."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from liaison_portal.settings.dev import *  # noqa: F403

# `make test` runs the suite in parallel processes (pytest-xdist: gw0, gw1, …). Each has its
# own test database (pytest-django adds the worker's suffix), its own uploads folder and its
# own Redis cache database: every test clears the cache first (tests/conftest.py), which on a
# shared database would wipe the counts of a test running in the other process. The Celery
# workers and web processes a test starts inherit the variable, so they agree with it.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
XDIST_INDEX = int(XDIST_WORKER.removeprefix("gw") or 0)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded import files: in a folder the tests' Celery worker subprocess reads too.
MEDIA_ROOT = BASE_DIR / ".data" / "test-media" / (XDIST_WORKER or "main")  # noqa: F405
# Tests clear the cache before each test (tests/conftest.py); on a Redis cache sharing the
# broker's database that would also wipe the Celery worker's queues. Only an explicit
# REDIS_URL gives the tests a Redis cache.
if not env_str("REDIS_URL", ""):  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif XDIST_INDEX:
    # REDIS_URL's database for the first process, the next ones for the others (CI: /1, /2).
    _cache = urlsplit(CACHES["default"]["LOCATION"])
    _database = int(_cache.path.strip("/") or 0) + XDIST_INDEX
    _broker = urlsplit(CELERY_BROKER_URL)  # noqa: F405
    if (_broker.netloc, _broker.path.strip("/") or "0") == (_cache.netloc, str(_database)):
        raise ImproperlyConfigured(
            f"Test process {XDIST_WORKER} would clear the broker's Redis database {_database}: "
            "give REDIS_URL a database below the broker's, or run fewer processes (-n)."
        )
    CACHES["default"]["LOCATION"] = _cache._replace(path=f"/{_database}").geturl()
# The suite's light tests log failures at one frozen instant on one channel, each meant as an
# occasion; the occasion window's own tests (tests/monitoring/test_occasions.py) set it.
MONITOR_OCCASION_WINDOW_HOURS = 0
# With DATABASE_REPLICA_URL set, the suite's "replica" is the test database itself (Django's
# test mirror); the router keeps reads inside a test's transaction on the primary anyway. The
# real streaming replica is tests/liaison_portal/test_replica_streaming.py's own.
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
