"""The API's token authentication with the second factor: with ADMIN_TOTP_REQUIRED an
admin's token works only while the admin has a confirmed authenticator."""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import authentication, exceptions

from accounts.policy import totp_required


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token (``Authorization: Token …``), refused for an admin without a confirmed
    authenticator while ADMIN_TOTP_REQUIRED is on: a token issued before the setting was
    turned on, or before the account became an admin, does not skip the second factor.
    (Confirming an authenticator deletes the tokens issued before it,
    accounts.services.totp_device_confirm; gaining the admin role deletes the token,
    registry.services.user_role_set.)"""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if (
            totp_required(user)
            and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            raise exceptions.AuthenticationFailed(
                _("Set up your authenticator app first: log in to the portal in the browser.")
            )
        return user, token
