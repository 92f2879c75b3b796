"""What accounts tells the apps above it (registry.security_log records each of them in the
security log): accounts imports no domain app, so it declares its own signals.

Every signal is sent with ``sender`` the user's class and ``user``; the others as named."""

from django.dispatch import Signal

# A wrong second-factor code (the code page, the setup page's first code, /api/token/'s
# otp_code): ``request``.
second_factor_failed = Signal()
# /api/token/ refused an admin who sent no code or has no authenticator yet: ``request``.
second_factor_missing = Signal()
# An admin set someone else's password (a new account, a reset): ``by``.
password_set_by_admin = Signal()
# The owner changed their own password (the password page, or an admin their own in the
# Django admin).
password_changed = Signal()
# An authenticator app was set up (its first code confirmed the device).
authenticator_enrolled = Signal()
