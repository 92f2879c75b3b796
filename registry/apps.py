from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from registry import ids, security_log
        from registry.roles import sync_role_groups

        # Logins, failures, lockouts, logouts and new accounts, whichever door they use.
        security_log.connect()
        # <id:…> in the urls.py of every app (ASCII digits only), before any URLconf loads.
        ids.register()

        # After every migrate (permissions exist by then): groups match registry.roles.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="registry.roles")
