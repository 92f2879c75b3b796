"""Development and the fresh-machine default: nothing needs configuring.

Without DATABASE_URL an embedded PostgreSQL starts under .data/; without CELERY_BROKER_URL
the broker is kombu's filesystem transport under .data/. With them set (CI, a developer's own
Postgres and Redis), the same code uses those.
"""

import os

import dj_database_url

from liaison_portal import embedded
from liaison_portal.env import env_bool, env_list, env_str
from liaison_portal.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# A development-only key; production.py refuses to start without a real one.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

DATABASE_URL = os.environ.get("DATABASE_URL") or embedded.database_url()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASE_REPLICA_URL:  # noqa: F405
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL, conn_max_age=60)  # noqa: F405

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = embedded.broker_transport_options()

# Static files straight from the app folders; `collectstatic` is for production images.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
