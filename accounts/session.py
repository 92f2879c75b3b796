"""The login hook: at every login (the login page, the Django admin's, force_login in tests)
the session learns whether the account must change its password first, when its idle
clock started, and when it logged in (its absolute limit, SESSION_MAX_HOURS)."""

from django.contrib.auth.signals import user_logged_in

from accounts import clock
from accounts.models import AccountSecurity
from accounts.policy import (
    PASSWORD_CHANGE_SESSION_KEY,
    SESSION_LOGGED_IN_KEY,
    SESSION_RENEWED_KEY,
)


def _on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    # The login saves the session: the idle clock and the absolute one start now.
    now = int(clock.now().timestamp())
    request.session[SESSION_RENEWED_KEY] = now
    request.session[SESSION_LOGGED_IN_KEY] = now
    pending = AccountSecurity.objects.filter(user=user, password_change_required=True).exists()
    if pending:
        request.session[PASSWORD_CHANGE_SESSION_KEY] = True
    else:
        request.session.pop(PASSWORD_CHANGE_SESSION_KEY, None)


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="accounts.session.password_change")
