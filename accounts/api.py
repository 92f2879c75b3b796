"""/api/token/'s part of logging in: the lockout as a 429, the second factor as a field, and
no token while the password an admin set is still unchanged."""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from accounts import signals
from accounts.lockout import lockout_message, lockout_seconds
from accounts.models import AccountSecurity
from accounts.policy import totp_required


class LoginLocked(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"

    def __init__(self):
        super().__init__(detail=lockout_message(), code="locked")
        self.wait = lockout_seconds()  # DRF's handler turns it into Retry-After


class TokenRequestSerializer(AuthTokenSerializer):
    otp_code = serializers.CharField(
        required=False,
        write_only=True,
        max_length=12,
        help_text="With ADMIN_TOTP_REQUIRED, admins add the current 6-digit code of their "
        "authenticator app.",
    )


def token_user(serializer: TokenRequestSerializer, request):
    """The user a token may be issued to, or the reason why not.

    The serializer authenticates with the request, so the lockout (django-axes' backend)
    counts the failure and refuses a locked account before the password is checked."""
    if not serializer.is_valid():
        # Set by axes on this (DRF) request when the attempt was refused or just locked.
        if getattr(request, "axes_locked_out", False):
            raise LoginLocked()
        raise ValidationError(serializer.errors)
    user = serializer.validated_data["user"]
    if totp_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        code = serializer.validated_data.get("otp_code", "").strip()
        if device is None or not code:
            signals.second_factor_missing.send(sender=user.__class__, user=user, request=request)
            if device is None:
                raise PermissionDenied(
                    _("Set up your authenticator app first: log in to the portal in the browser.")
                )
            raise PermissionDenied(
                _("Send otp_code: the current 6-digit code of your authenticator app.")
            )
        if not device.verify_token(code):
            signals.second_factor_failed.send(sender=user.__class__, user=user, request=request)
            raise PermissionDenied(
                _("Send otp_code: the current 6-digit code of your authenticator app.")
            )
    if AccountSecurity.objects.filter(user=user, password_change_required=True).exists():
        raise PermissionDenied(
            _("Your password was set by an admin: change it in the browser first.")
        )
    return user
