from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import clock
from accounts.policy import (
    SESSION_LOGGED_IN_KEY,
    SESSION_RENEW_EVERY_SECONDS,
    SESSION_RENEWED_KEY,
    password_change_pending,
    totp_pending,
)

# What a user who still owes something may reach: the page that settles it, logging out,
# the language switch, the health check.
_ALWAYS_OPEN = {"logout", "set_language", "healthz", "login"}
_OPEN_FOR_TOTP = _ALWAYS_OPEN | {"accounts:otp_verify", "accounts:otp_setup"}
_OPEN_FOR_PASSWORD = _ALWAYS_OPEN | {"accounts:password_change"}


class AccountGateMiddleware:
    """A logged-in admin who has not passed the second factor (ADMIN_TOTP_REQUIRED) is sent to
    enter their code (or set up an authenticator); then anyone whose password an admin set
    is sent to change it. The API answers 403 with the reason instead of a redirect.

    Requests authenticated by an API token carry no session and pass: tokens are issued to
    such users only once they owe nothing (registry.api.views.TokenView)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if totp_pending(request):
            if match.view_name in _OPEN_FOR_TOTP:
                return None
            return _refuse(
                request,
                "accounts:otp_verify",
                _("Enter the code from your authenticator app first (log in in the browser)."),
            )
        if password_change_pending(request):
            if match.view_name in _OPEN_FOR_PASSWORD:
                return None
            return _refuse(
                request,
                "accounts:password_change",
                _("Your password was set by an admin: change it in the browser first."),
            )
        return None


def _refuse(request, page: str, api_message: str):
    if "api" in request.resolver_match.namespaces:
        return JsonResponse({"errors": {"detail": [api_message]}}, status=403)
    url = reverse(page)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class SessionIdleRenewalMiddleware:
    """Idle sessions end: a logged-in session lives SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES)
    from its last save, and use renews it, at most once a minute. Busy ones end too:
    SESSION_MAX_HOURS after the login, the session is flushed before the request is served
    (the user is anonymous for it, so the page sends them to log in again).

    Django's SESSION_SAVE_EVERY_REQUEST would write the session row on every request (each
    keystroke of search-as-you-type); a minute's precision costs one write a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            # A session without the login time predates the limit: it ends as well.
            logged_in = session.get(SESSION_LOGGED_IN_KEY, 0)
            if int(clock.now().timestamp()) - logged_in >= settings.SESSION_MAX_HOURS * 3600:
                session.flush()
        response = self.get_response(request)
        # Only a logged-in session (the personal link's sessions keep their own lifetimes),
        # and only one that still exists (not just flushed by a logout).
        if session is not None and session.session_key and SESSION_KEY in session:
            now = int(clock.now().timestamp())
            if now - session.get(SESSION_RENEWED_KEY, 0) >= SESSION_RENEW_EVERY_SECONDS:
                session[SESSION_RENEWED_KEY] = now  # marks it modified: saved, expiry renewed
        return response
