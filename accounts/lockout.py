"""The login lockout (django-axes, configured in settings/base.py): the client's address, the
page or JSON a locked login gets, the log line, and what the users page shows and resets.

Axes counts failures per username and per address in its AccessAttempt table; it refuses a
locked login in its authentication backend, before the password is checked, so the right
password does not help during the lock.
"""

import datetime
import logging

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger("accounts.security")


def lockout_seconds() -> int:
    return int(get_cool_off().total_seconds())


def lockout_minutes() -> int:
    return lockout_seconds() // 60


def lockout_message() -> str:
    return _(
        "Too many failed logins: this account or this computer's address is locked for "
        "%(minutes)d minutes. Please try again later, or ask a park admin to unlock it."
    ) % {"minutes": lockout_minutes()}


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: what a login refused by the lockout answers (429).

    Under /api/ the API's one error shape; elsewhere (the login page, the Django admin's) a
    page that says what happened and what to do."""
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"errors": {"detail": [lockout_message()]}}, status=429)
    else:
        context = {
            "message": lockout_message(),
            "minutes": lockout_minutes(),
            "username": get_client_username(request, credentials) or "",
        }
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(lockout_seconds())
    return response


def _log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # The process log's line; the security log records lockouts from the same signal
    # (registry.security_log).
    logger.warning(
        "login locked: username=%r address=%s path=%s",
        username,
        ip_address,
        getattr(request, "path_info", ""),
    )


def connect() -> None:
    user_locked_out.connect(_log_lockout, dispatch_uid="accounts.lockout.log")


# --- What the users page shows and resets ------------------------------------------------


def account_lock_state(*, username: str, now: datetime.datetime) -> dict:
    """The failures counted against an account now, and until when it is locked (None if it
    is not). Counted as axes counts them: failures within the lockout period of the last one,
    over all addresses when the account locks on its own."""
    attempts = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - get_cool_off()
    )
    by_account = "username" in settings.AXES_LOCKOUT_PARAMETERS
    totals = attempts.aggregate(
        total=Sum("failures_since_start"),
        most=Max("failures_since_start"),
        last=Max("attempt_time"),
    )
    failures = (totals["total"] if by_account else totals["most"]) or 0
    locked = failures >= settings.AXES_FAILURE_LIMIT
    return {
        "failures": failures,
        "locked_until": totals["last"] + get_cool_off() if locked else None,
    }
