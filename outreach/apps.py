from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self):
        from outreach.messaging import tasks  # noqa: F401  (Celery finds only <app>.tasks)
        from outreach.messaging.defaults import templates_ensure_defaults

        # Message templates a new installation starts with (admins' edits are kept).
        post_migrate.connect(templates_ensure_defaults, sender=self)
