"""Settings are chosen by DJANGO_SETTINGS_MODULE:

- ``liaison_portal.settings.dev`` (the default of manage.py): embedded PostgreSQL and a
  filesystem broker unless DATABASE_URL / CELERY_BROKER_URL say otherwise;
- ``liaison_portal.settings.test``: dev plus what makes tests fast and isolated;
- ``liaison_portal.settings.production``: refuses to start without its secrets.
"""
