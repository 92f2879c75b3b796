from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Logging in: the lockout after repeated failures, the password policy and the forced
    change of an admin-set password, the admins' second factor. Below the registry: it
    imports no domain app."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import lockout, session

        lockout.connect()
        session.connect()
