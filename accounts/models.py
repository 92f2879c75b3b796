from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSecurity(models.Model):
    """What the login needs to know about an account beyond Django's user: whether its
    password was set by an admin and must be changed before anything else.

    An account without a row has nothing pending (the demo users, accounts made by
    ``createsuperuser``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_security",
        verbose_name=_("user"),
    )
    password_change_required = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return str(self.user)
