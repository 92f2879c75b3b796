"""How a message leaves the portal: SMS through a small backend interface, e-mail through
Django's e-mail backends (``EMAIL_BACKEND``).

SMS backends
------------
``settings.SMS_BACKEND`` names a class with ``send(*, to, text, idempotency_key) -> str``
returning the gateway's message id, raising ``TemporaryFailure`` (retry later) or
``PermanentFailure`` (the number is invalid: do not retry). ``idempotency_key`` is the
outbox message's key; a gateway must deliver each key at most once.

A real provider (``requires_templates = True``: Alibaba Cloud and Tencent Cloud SMS, in
``outreach/messaging/gateways/``) never sends free text: ``send_template`` is given the
template's approved code and its parameters' values in the approved order, and the outbox key
as the provider's client reference (Alibaba ``OutId``, Tencent ``SessionContext``). Besides the
two failures above it may raise ``ProviderRefused``: the provider refused the account, the
signature or the template, and every further message would be refused too (the campaign
stops, outreach.messaging.refusals). ``TemporaryFailure.retry_at`` says when a throttled
number may be tried again (the end of the provider's minute, hour or day window).

E-mail
------
Sent with Django's ``EmailMessage`` over the configured backend; the idempotency key travels
as the ``Message-ID`` (and ``X-Outbox-Key``) header so a receiving system can recognise a
duplicate. SMTP itself cannot refuse one: see the residual window in
docs/CHANGELOG.md, "Outbox and campaigns".
"""

import datetime
import fcntl
import logging
import os
import re
import smtplib
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from outreach.selfservice.logs import redact
from registry.normalize import mask_phone

logger = logging.getLogger(__name__)
# A mainland mobile inside a message's text (a successor's number in a handover message).
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


class TemporaryFailure(Exception):
    """The message may go through later (gateway down, throttled, timeout). ``retry_at``:
    not before then (a throttled number's window); None: the outbox's usual backoff."""

    def __init__(self, message: str = "", *, retry_at: datetime.datetime | None = None):
        super().__init__(message)
        self.retry_at = retry_at


class PermanentFailure(Exception):
    """The message can never go through (invalid number or address, refused). ``problem``:
    the OutboxMessage.Problem that says why (blank: the channel's usual one). With
    ``contact=False`` the refusal says nothing about the liaison's number (the provider
    refused this message's content), so it is no failed contact attempt."""

    def __init__(self, message: str = "", *, problem: str = "", contact: bool = True):
        super().__init__(message)
        self.problem = problem
        self.contact = contact


class ProviderRefused(Exception):
    """The provider refused the account (keys, balance), the signature (签名) or the
    template: no message of this kind can go out until an admin fixes the configuration.
    ``reason`` is the sentence admins read (translated); ``code`` the provider's code."""

    def __init__(self, reason: str, *, code: str = "", what: str = ""):
        super().__init__(f"{code}: {reason}" if code else str(reason))
        self.reason = str(reason)
        self.code = code
        self.what = what  # credentials, signature, template, balance (gateways.answers)


class SmsBackend:
    # A real provider sends only approved templates (send_template), never free text.
    requires_templates = False

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        raise NotImplementedError

    def send_template(
        self,
        *,
        to: str,
        template_code: str,
        params: list[tuple[str, str]],
        text: str,
        idempotency_key: str,
    ) -> str:
        """Send an approved template with its parameters (name, value) in the approved
        order; ``text`` is the portal's own rendering. Stand-ins send the text."""
        return self.send(
            to=to, text=f"{settings.SMS_SIGNATURE}{text}", idempotency_key=idempotency_key
        )


class ConsoleSmsBackend(SmsBackend):
    """Development: prints each SMS; refuses a key it has already delivered in this process.

    Outside DEBUG (a staging install) personal-link tokens are printed as ``/s/…/`` and
    mobiles masked (``139****5678``): container logs are kept and read more widely than the
    outbox. Production refuses this backend (it sends nothing).
    """

    def __init__(self):
        self.delivered: set[str] = set()

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        if idempotency_key not in self.delivered:
            self.delivered.add(idempotency_key)
            if not settings.DEBUG:
                to = mask_phone(to)
                text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()), redact(text))
            sys.stdout.write(f"[SMS to {to} · {idempotency_key}] {text}\n")
            sys.stdout.flush()
        return idempotency_key


class FileRecordingSmsBackend(SmsBackend):
    """A stand-in gateway that several processes share: it appends each delivered key to
    ``SMS_RECORD_FILE`` and, like a real gateway given a client message id, delivers a key at
    most once. ``SMS_SEND_DELAY`` seconds pass after delivery before it answers (a slow
    acknowledgement), the window in which a killed worker would otherwise send twice.
    Numbers starting with ``SMS_INVALID_PREFIX`` are refused permanently.

    For integration tests and demonstrations; never for production.
    """

    def __init__(self):
        self.path = Path(os.environ.get("SMS_RECORD_FILE", "sms-deliveries.log"))
        self.delay = float(os.environ.get("SMS_SEND_DELAY", "0"))
        self.invalid_prefix = os.environ.get("SMS_INVALID_PREFIX", "")

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        if self.invalid_prefix and to.startswith(self.invalid_prefix):
            raise PermanentFailure(f"invalid number {to}")
        with self.path.open("a+", encoding="utf-8") as record:
            fcntl.flock(record, fcntl.LOCK_EX)  # check-then-append, across processes
            record.seek(0)
            if idempotency_key not in record.read().split():
                record.write(f"{idempotency_key}\n")
                record.flush()
        time.sleep(self.delay)
        return idempotency_key


_sms_backend: tuple[str, SmsBackend] | None = None


def sms_backend() -> SmsBackend:
    """One instance per process and configured class (the console backend keeps its keys)."""
    global _sms_backend
    path = settings.SMS_BACKEND
    if _sms_backend is None or _sms_backend[0] != path:
        _sms_backend = (path, import_string(path)())
    return _sms_backend[1]


def send_sms(*, to: str, text: str, idempotency_key: str) -> str:
    return sms_backend().send(
        to=to, text=f"{settings.SMS_SIGNATURE}{text}", idempotency_key=idempotency_key
    )


def provider_params(template, values: dict) -> list[tuple[str, str]]:
    """The approved template's parameters, in order, each with its placeholder's value."""
    return [
        (str(name), str(values.get(placeholder, "") or ""))
        for name, placeholder in (template.provider_params or [])
    ]


def send_sms_message(message) -> str:
    """Send an outbox SMS: through its template's approved code to a real provider (a
    template without one is refused, ProviderRefused), as text to a stand-in."""
    backend = sms_backend()
    template = message.template
    if not backend.requires_templates:
        return send_sms(to=message.to, text=message.body, idempotency_key=message.idempotency_key)
    if template is None or not template.provider_code:
        from outreach.messaging.gateways.answers import missing_code_reason

        raise ProviderRefused(missing_code_reason(template), code="no-template-code")
    return backend.send_template(
        to=message.to,
        template_code=template.provider_code,
        params=provider_params(template, message.params or {}),
        text=message.body,
        idempotency_key=message.idempotency_key,
    )


def send_email(*, to: str, subject: str, text: str, idempotency_key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    message_id = f"<{idempotency_key}@{domain}>"
    email = EmailMessage(
        subject=subject,
        body=text,
        to=[to],
        headers={"Message-ID": message_id, "X-Outbox-Key": idempotency_key},
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentFailure(f"recipient refused: {error.recipients}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(str(error) or error.__class__.__name__) from error
    return message_id
