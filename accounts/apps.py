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
        _name_the_libraries_admin_sections()


def _name_the_libraries_admin_sections() -> None:
    """The Django admin's sections of the login libraries, named in the admins' language:
    django-axes names its app "Axes" and django-otp its TOTP devices in English only (the
    models' other labels axes marks for translation: accounts' catalogue translates them)."""
    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("axes").verbose_name = _("Login lockout")
    apps.get_app_config("otp_totp").verbose_name = _("Authenticator apps")
    # Only the label: the migrations read the model's own Meta, which stays as it is.
    TOTPDevice._meta.verbose_name = _("authenticator app")
    TOTPDevice._meta.verbose_name_plural = _("authenticator apps")
