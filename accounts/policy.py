"""Who owes what before they may work: a new password, a second factor. Reads only."""

from django.conf import settings

# The session remembers from the login that the password must be changed (accounts.session),
# so the gate costs no query per request. An admin setting a password ends the owner's
# sessions anyway (the session hash changes), so the flag cannot go stale.
PASSWORD_CHANGE_SESSION_KEY = "accounts_password_change_required"


def password_change_pending(request) -> bool:
    return bool(request.session.get(PASSWORD_CHANGE_SESSION_KEY))


def totp_required(user) -> bool:
    """ADMIN_TOTP_REQUIRED asks a second factor of the admins: the Django admin's users
    (park admins are is_staff, registry.services.user_role_set) and superusers."""
    return bool(
        settings.ADMIN_TOTP_REQUIRED
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
    )


def totp_pending(request) -> bool:
    user = request.user
    return totp_required(user) and not user.is_verified()


# Idle timeout (accounts.middleware.SessionIdleRenewalMiddleware): when the session was last
# renewed, and how often at most.
SESSION_RENEWED_KEY = "accounts_renewed_at"
SESSION_RENEW_EVERY_SECONDS = 60
# Absolute limit (SESSION_MAX_HOURS, the same middleware): when the session logged in.
SESSION_LOGGED_IN_KEY = "accounts_logged_in_at"
