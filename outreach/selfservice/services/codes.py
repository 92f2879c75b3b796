"""The one-time codes of a link: the unlock code, sent to the mobile on file, that must be
entered before any personal data is shown; and the code sent to a NEW mobile the liaison
typed into the form, which must come back before the number is changed.

Each is six digits, valid CODE_VALID, CODE_TRIES tries, one per link at a time (a new one
replaces the old). Only an HMAC keyed by SECRET_KEY is stored: a 6-digit code's plain hash
is reversed by trying all million values. The new mobile's code is bound to that number
(HMAC over link, number and code), so the number itself is not kept on the link. Wrong
codes of both kinds count towards the link's lockout (lockout.py).
"""

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging.defaults import CODE_TEMPLATE, NEW_MOBILE_CODE_TEMPLATE
from outreach.messaging.refusals import own_template_require_approved
from outreach.messaging.services import message_enqueue
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.links import link_check
from outreach.selfservice.services.lockout import WRONG_CODE_FIELDS, wrong_code
from outreach.selfservice.services.refusals import CodeRefused, LinkLocked
from registry import clock
from registry.models import Liaison
from registry.normalize import mask_phone

CODE_VALID = datetime.timedelta(minutes=10)
CODE_TRIES = 5


def _hmac(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def _code_hash(link: SelfServiceLink, code: str) -> str:
    return _hmac(f"selfservice-code:{link.pk}:{code}")


def _mobile_code_hash(link: SelfServiceLink, mobile: str, code: str) -> str:
    return _hmac(f"selfservice-new-mobile:{link.pk}:{mobile}:{code}")


def _send(
    link: SelfServiceLink,
    *,
    field: str,
    hashed: Callable[[str], str],
    template: str,
    to: str = "",
) -> None:
    """A new code in the link's ``field`` columns (``<field>_hash``, ``_expires_at``,
    ``_tries_left``; an older code stops working), sent through the outbox by ``template``
    in the same transaction (``to``: another number than the liaison's on file)."""
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SelfServiceLink.objects.filter(pk=link.pk).update(
            **{
                f"{field}_hash": hashed(code),
                f"{field}_expires_at": clock.now() + CODE_VALID,
                f"{field}_tries_left": CODE_TRIES,
            }
        )
        message_enqueue(
            enterprise=link.enterprise,
            liaison=link.liaison,
            to=to,
            template=template,
            context={"code": code, "minutes": int(CODE_VALID.total_seconds() // 60)},
            purpose="self-service-code",
        )


def _weigh(
    locked: SelfServiceLink,
    *,
    field: str,
    typed: str,
    typed_hash: str,
    expired: str,
    used_up: str,
) -> CodeRefused | LinkLocked | None:
    """The code ``typed`` against the one in the link's ``field`` columns, on the row
    ``locked`` for update: None when right, else the refusal to raise (``expired`` and
    ``used_up`` are its messages for a dead code). A wrong code's lost try is saved here, so
    that the caller may raise after its transaction and keep it."""
    now = clock.now()
    if locked.locked_at is not None:
        return LinkLocked()
    stored = getattr(locked, f"{field}_hash")
    if not stored or getattr(locked, f"{field}_expires_at") <= now:
        return CodeRefused(expired)
    if getattr(locked, f"{field}_tries_left") <= 0:
        return CodeRefused(used_up)
    if not (_ascii_digits(typed) and len(typed) == 6) or not hmac.compare_digest(
        stored, typed_hash
    ):
        refusal = wrong_code(locked, code=field, now=now)
        locked.save(update_fields=WRONG_CODE_FIELDS)
        return refusal
    return None


def _ascii_digits(text: str) -> bool:
    # str.isdigit() also takes "١٢٣" and "¹²³"; a code is typed in ASCII digits.
    return text.isascii() and text.isdigit()


# --- The unlock code -----------------------------------------------------------------------


def selfservice_code_send(*, link: SelfServiceLink) -> None:
    """Send a new 6-digit code to the liaison's mobile on file; an older code stops working."""
    link_check(link)
    own_template_require_approved(CODE_TEMPLATE, purpose="self-service-code")
    _send(link, field="code", hashed=lambda code: _code_hash(link, code), template=CODE_TEMPLATE)


def selfservice_code_check(*, link: SelfServiceLink, code: str) -> SelfServiceLink:
    """Accept the code (the link is then unlocked) or raise CodeRefused.

    Each wrong code costs a try; with none left the code is dead and a new one must be sent.
    The wrong codes of all the link's codes add up: at SELF_SERVICE_WRONG_CODES_MAX the link
    is locked for good (LinkLocked) and the enterprise's worker gets a task.
    """
    code = (code or "").strip()
    # The refusal is raised after the transaction: a wrong code's lost try must be kept.
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        refusal = _weigh(
            locked,
            field="code",
            typed=code,
            typed_hash=_code_hash(locked, code),
            expired=_("This code has expired. Please ask for a new one."),
            used_up=_("Too many wrong codes. Please ask for a new one."),
        )
        if refusal is None:
            locked.code_hash = ""
            locked.code_tries_left = 0
            locked.unlocked_at = clock.now()
            locked.save(update_fields=["code_hash", "code_tries_left", "unlocked_at"])
    if refusal is not None:
        raise refusal
    return locked


# --- A new mobile, confirmed by a code sent to it ------------------------------------------


def new_mobile(link: SelfServiceLink, value: str) -> str | None:
    """The mobile the liaison typed, as the registry writes it, if it is not the one on file
    (a ValidationError on the mobile field if it is no mobile)."""
    if not (value or "").strip():
        return None
    try:
        mobile = Liaison._meta.get_field("mobile").clean(value, None)
    except ValidationError as error:
        raise ValidationError({"mobile": error.messages}) from error
    return None if mobile == link.liaison.mobile else mobile


def selfservice_mobile_code_send(*, link: SelfServiceLink, mobile: str) -> str:
    """Send a 6-digit code to the NEW mobile, through the outbox as the unlock code goes to
    the old one; an older code stops working. Returns the number masked, for the page."""
    link_check(link)
    mobile = new_mobile(link, mobile)
    if mobile is None:
        raise ServiceError(_("This is the mobile number already on file."), field="mobile")
    own_template_require_approved(NEW_MOBILE_CODE_TEMPLATE, purpose="self-service-code")
    _send(
        link,
        field="mobile_code",
        hashed=lambda code: _mobile_code_hash(link, mobile, code),
        template=NEW_MOBILE_CODE_TEMPLATE,
        to=mobile,
    )
    return mask_phone(mobile)


def mobile_code_check(*, link: SelfServiceLink, mobile: str, code: str) -> None:
    """Accept the code sent to ``mobile`` or raise CodeRefused (LinkLocked past the link's
    lifetime cap: these wrong codes count towards it too); a wrong code's lost try is
    committed in its own transaction (the correction that follows may still roll back)."""
    code = (code or "").strip()
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        refusal = _weigh(
            locked,
            field="mobile_code",
            typed=code,
            typed_hash=_mobile_code_hash(locked, mobile, code),
            expired=_("This code has expired. Please have a new one sent to your new number."),
            used_up=_("Too many wrong codes. Please have a new one sent to your new number."),
        )
    if refusal is not None:
        raise refusal
