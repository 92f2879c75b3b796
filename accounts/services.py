"""Every write about logging in, for the admin pages, the portal's pages and the API alike."""

import datetime
import logging

from axes.utils import reset as axes_reset
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import clock, signals
from accounts.models import AccountSecurity

logger = logging.getLogger("accounts.security")


def account_password_set_by_admin(*, user, by) -> None:
    """An admin chose this account's password (a new account, or a reset): the admin knows
    it, so its owner must replace it at their next login, and an API token issued before
    stops working. Setting one's own password through the admin is not such a case."""
    if by is not None and by.pk == user.pk:
        signals.password_changed.send(sender=user.__class__, user=user)
        return
    with transaction.atomic():
        AccountSecurity.objects.update_or_create(
            user=user, defaults={"password_change_required": True}
        )
        Token.objects.filter(user=user).delete()
        signals.password_set_by_admin.send(sender=user.__class__, user=user, by=by)
    logger.info("password set by admin: username=%r by=%r", user.get_username(), _name(by))


def account_password_changed(*, user, now: datetime.datetime | None = None) -> None:
    """The owner chose their own password: nothing is pending any more."""
    with transaction.atomic():
        AccountSecurity.objects.update_or_create(
            user=user,
            defaults={
                "password_change_required": False,
                "password_changed_at": now or clock.now(),
            },
        )
        signals.password_changed.send(sender=user.__class__, user=user)
    logger.info("password changed by its owner: username=%r", user.get_username())


def account_lock_reset(*, username: str, by) -> int:
    """An admin lifts the login lockout of an account: its counted failures (from every
    address) are forgotten. Returns how many attempt records were removed."""
    count = axes_reset(username=username)
    logger.warning("login lock reset: username=%r by=%r records=%d", username, _name(by), count)
    return count


def totp_device_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator of an admin setting one up (one at a time: a page
    reloaded during setup shows the same key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_device_confirm(device: TOTPDevice, code: str) -> bool:
    """The first code from the app proves it holds the key: the device counts from now on,
    and any other of the user's authenticators (an older phone) is removed, and so is an API
    token issued before: it was issued without this second factor."""
    if not device.verify_token(code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        Token.objects.filter(user=device.user).delete()
        signals.authenticator_enrolled.send(sender=device.user.__class__, user=device.user)
    logger.info("authenticator confirmed: username=%r", device.user.get_username())
    return True


def _name(user) -> str | None:
    return user.get_username() if user is not None else None
