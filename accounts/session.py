"""The login hook: at every login (the login page, the Django admin's, force_login in tests)
the session learns whether the account must change its password first, and when its idle
clock started."""

import time

from django.contrib.auth.signals import user_logged_in

from accounts.models import AccountSecurity
from accounts.policy import PASSWORD_CHANGE_SESSION_KEY, SESSION_RENEWED_KEY


def _on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    # The login saves the session: the idle clock starts now.
    request.session[SESSION_RENEWED_KEY] = int(time.time())
    pending = AccountSecurity.objects.filter(user=user, password_change_required=True).exists()
    if pending:
        request.session[PASSWORD_CHANGE_SESSION_KEY] = True
    else:
        request.session.pop(PASSWORD_CHANGE_SESSION_KEY, None)


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="accounts.session.password_change")
