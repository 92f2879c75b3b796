from django.conf import settings
from django.core.validators import RegexValidator
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


class AccountProfile(models.Model):
    """What the portal knows of a staff member beyond Django's user: their own mobile, for a
    campaign's test send (the e-mail is the user's). Set by admins in the Django admin; an
    account without a row has no mobile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_profile",
        verbose_name=_("user"),
    )
    mobile = models.CharField(
        _("mobile"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mobile number."))],
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)
