"""The security log (等保 level 2, 7.1.4.3 安全审计; 网络安全法 art. 21): every write to it, the
receivers that turn logins, failures, lockouts, logouts, wrong or missing second factors,
password changes and new authenticators into rows, and the nightly purge.

Who and when are passed in (``by``, ``at`` from registry.clock). From where is the request's
client address, read by the one helper the login lockout uses
(``accounts.addresses.client_address``): a request sets it for its own duration
(``SecurityLogMiddleware``), so a service called from a page logs the address without every
service taking one; outside a request (Celery, commands) there is none.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from accounts import signals as accounts_signals
from accounts.addresses import client_address
from registry import clock
from registry.models import SecurityEvent
from registry.sql.security_log import purge_allowed

logger = logging.getLogger("accounts.security")

Action = SecurityEvent.Action

_request: contextvars.ContextVar = contextvars.ContextVar("security_log_request", default=None)


class SecurityLogMiddleware:
    """Makes the current request (its client address and user) known to the log's writers
    for the request's duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_address() -> str | None:
    request = _request.get()
    return client_address(request) if request is not None else None


def _current_user():
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def security_event_record(
    *,
    action: str,
    at: datetime.datetime,
    by=None,
    username: str = "",
    address: str | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Append one row. ``address`` defaults to the current request's client address."""
    return SecurityEvent.objects.create(
        at=at,
        action=action,
        user=by,
        username=(username or (by.get_username() if by is not None else ""))[:150],
        address=address if address is not None else current_address(),
        target=str(target)[:200],
        detail=detail or {},
    )


def security_log_purge(*, now: datetime.datetime) -> int:
    """Delete the rows older than SECURITY_LOG_KEEP_DAYS (never fewer than six months: the
    setting refuses less); the only DELETE the table's trigger lets through. Records itself."""
    cutoff = now - datetime.timedelta(days=settings.SECURITY_LOG_KEEP_DAYS)
    with transaction.atomic():
        with purge_allowed():
            deleted, _per_model = SecurityEvent.objects.filter(at__lt=cutoff).delete()
        security_event_record(
            action=Action.LOG_PURGE,
            at=now,
            detail={"deleted": deleted, "before": cutoff.isoformat()},
        )
    return deleted


# --- Reading it: the details in words -------------------------------------------------

_DETAIL_LABELS = {
    "from": _("from"),
    "to": _("to"),
    "name": _("name"),
    "code": _("code"),
    "created": _("created"),
    "workers_added": _("workers added"),
    "workers_removed": _("workers removed"),
    "record": _("record"),
    "record_id": _("record id"),
    "field": _("field"),
    "channel": _("through"),
    "what": _("what"),
    "format": _("format"),
    "rows": _("rows"),
    "unmasked": _("unmasked columns"),
    "step": _("step"),
    "import_run": _("import"),
    "mode": _("mode"),
    "rows_total": _("rows"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "invalid": _("invalid"),
    "records": _("records"),
    "deleted": _("deleted"),
    "before": _("older than"),
    "cutoff": _("left before"),
    "filters": _("filters"),
    "liaisons": _("liaisons"),
    "liaison_history_events": _("liaison history entries"),
    "emergency_contacts": _("emergency contacts"),
    "emergency_contact_history_events": _("emergency contact history entries"),
    "import_files": _("import files"),
    "outbox_messages": _("messages"),
    "selfservice_links": _("self-service links"),
    "contact_attempts": _("contact-log notes"),
    "tasks": _("task notes"),
    "evidence_texts": _("evidence texts"),
    "evidence_files": _("evidence files"),
}


def _value_text(key: str, value: Any) -> str:
    from registry.roles import Role

    if key in {"from", "to"} and value in Role.values:
        return str(Role(value).label)
    if key in {"from", "to"} and value == "":
        return str(_("no role"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items() if v) or "—"
    return "—" if value is None or value == "" else str(value)


def security_event_details(event: SecurityEvent) -> str:
    """The event's details as the page and the export show them: "label: value; …"."""
    return "；".join(
        f"{_DETAIL_LABELS.get(key, key)}：{_value_text(key, value)}"
        for key, value in (event.detail or {}).items()
    )


# --- Logging in: Django's and axes' signals, whichever door (login page, Django admin, API)


def login_record(*, request, user) -> SecurityEvent:
    """A login: by Django's signal (the pages, the Django admin), or called directly by
    /api/token/, which issues a token without a session (registry.api.views.TokenView)."""
    return security_event_record(
        action=Action.LOGIN,
        at=clock.now(),
        by=user,
        address=client_address(request) if request is not None else None,
        target=getattr(request, "path_info", "") if request is not None else "",
    )


def _on_login(sender, request, user, **kwargs) -> None:
    login_record(request=request, user=user)


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    security_event_record(
        action=Action.LOGIN_FAILED,
        at=clock.now(),
        username=str(credentials.get("username", ""))[:150],
        address=client_address(request) if request is not None else None,
        target=getattr(request, "path_info", "") if request is not None else "",
    )


def _on_logout(sender, request, user, **kwargs) -> None:
    security_event_record(
        action=Action.LOGOUT,
        at=clock.now(),
        by=user if user is not None and user.is_authenticated else None,
        address=client_address(request) if request is not None else None,
    )


def _on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    security_event_record(
        action=Action.LOCKOUT,
        at=clock.now(),
        username=str(username or "")[:150],
        address=ip_address or (client_address(request) if request is not None else None),
        target=getattr(request, "path_info", "") if request is not None else "",
    )


def _on_user_saved(sender, instance, created, raw=False, **kwargs) -> None:
    # Accounts are created on the portal's users page (registry.services.user_create, which
    # names its admin), in the Django admin or by createsuperuser: every door ends here.
    if created and not raw:
        security_event_record(
            action=Action.USER_CREATED,
            at=clock.now(),
            by=getattr(instance, "security_log_by", None) or _current_user(),
            target=instance.get_username(),
        )


# --- accounts' own signals: the second factor and passwords (accounts.signals) ----------


def _on_second_factor(action: str):
    def receiver(sender, user, request=None, **kwargs) -> None:
        security_event_record(
            action=action,
            at=clock.now(),
            by=user,
            address=client_address(request) if request is not None else None,
            target=getattr(request, "path_info", "") if request is not None else "",
        )

    return receiver


_on_second_factor_failed = _on_second_factor(Action.SECOND_FACTOR_FAILED)
_on_second_factor_missing = _on_second_factor(Action.SECOND_FACTOR_MISSING)


def _on_password_set_by_admin(sender, user, by, **kwargs) -> None:
    security_event_record(
        action=Action.PASSWORD_SET_BY_ADMIN,
        at=clock.now(),
        by=by,
        target=user.get_username(),
    )


def _on_password_changed(sender, user, **kwargs) -> None:
    security_event_record(
        action=Action.PASSWORD_CHANGED, at=clock.now(), by=user, target=user.get_username()
    )


def _on_authenticator_enrolled(sender, user, **kwargs) -> None:
    security_event_record(
        action=Action.AUTHENTICATOR_ENROLLED, at=clock.now(), by=user, target=user.get_username()
    )


def connect() -> None:
    accounts_signals.second_factor_failed.connect(
        _on_second_factor_failed, dispatch_uid="registry.security_log.otp_failed"
    )
    accounts_signals.second_factor_missing.connect(
        _on_second_factor_missing, dispatch_uid="registry.security_log.otp_missing"
    )
    accounts_signals.password_set_by_admin.connect(
        _on_password_set_by_admin, dispatch_uid="registry.security_log.password_set"
    )
    accounts_signals.password_changed.connect(
        _on_password_changed, dispatch_uid="registry.security_log.password_changed"
    )
    accounts_signals.authenticator_enrolled.connect(
        _on_authenticator_enrolled, dispatch_uid="registry.security_log.authenticator"
    )
    user_logged_in.connect(_on_login, dispatch_uid="registry.security_log.login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="registry.security_log.failed")
    user_logged_out.connect(_on_logout, dispatch_uid="registry.security_log.logout")
    user_locked_out.connect(_on_locked_out, dispatch_uid="registry.security_log.locked")
    post_save.connect(
        _on_user_saved, sender=get_user_model(), dispatch_uid="registry.security_log.user"
    )
