"""Every write of liaison self-service: sending, resolving and revoking personal links, and
the one-time code that unlocks them.

A link is a ``secrets.token_urlsafe(32)`` token (256 bits); only its SHA-256 is stored. It is
accepted while it is the liaison's newest link, unused, unrevoked, unexpired and the liaison's
entry is unchanged since it was sent. Resolving it writes nothing (link scanners open every
link they see).
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.messaging.models import Channel
from outreach.messaging.services import message_enqueue
from outreach.models import ContactAttempt
from outreach.selfservice.models import SelfServiceLink
from outreach.services import contact_attempt_record
from registry.errors import ServiceError
from registry.models import Enterprise, Liaison

CODE_VALID = datetime.timedelta(minutes=10)
CODE_TRIES = 5
LINK_TEMPLATES = {Channel.SMS: "self-service-link-sms", Channel.EMAIL: "self-service-link-email"}
OPEN = Q(used_at__isnull=True, revoked_at__isnull=True, superseded_at__isnull=True)


# --- Why a link or code is not accepted --------------------------------------------------


class LinkInvalid(Exception):
    """The link cannot be used; ``reason`` says why, for the friendly page."""

    reason = "unknown"


class LinkUnknown(LinkInvalid):
    reason = "unknown"


class LinkExpired(LinkInvalid):
    reason = "expired"


class LinkUsed(LinkInvalid):
    reason = "used"


class LinkSuperseded(LinkInvalid):
    reason = "superseded"


class LinkRevoked(LinkInvalid):
    reason = "revoked"


class LinkLiaisonChanged(LinkInvalid):
    reason = "liaison_changed"


class CodeRefused(Exception):
    """The code was not accepted; ``tries_left`` how many more may be made."""

    def __init__(self, message: str, *, tries_left: int = 0):
        super().__init__(message)
        self.message = message
        self.tries_left = tries_left


# --- Links --------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return settings.SELF_SERVICE_BASE_URL.rstrip("/") + reverse("selfservice:landing", args=[token])


def selfservice_link_send(
    *, enterprise: Enterprise, by, channel: str | None = None
) -> SelfServiceLink:
    """Send the enterprise's current liaison a new personal link, through the outbox.

    Older open links of that liaison stop working. The link and its message are written in
    one transaction: no message without a link, no link nobody was sent. The token itself
    is only in the message; the returned link carries it as ``token`` for the caller.
    """
    with transaction.atomic():
        # Serialises two sends for the same enterprise, so only one link stays open.
        Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        liaison = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
        if liaison is None:
            raise ServiceError(
                _("This enterprise has no liaison to send a link to."), code="no_liaison"
            )
        if channel is None:
            channel = Channel.SMS if liaison.mobile else Channel.EMAIL
        if channel not in LINK_TEMPLATES:
            raise ServiceError(_("Unknown channel."), field="channel", code="invalid")
        if not liaison.mobile:
            # The code that unlocks the link goes to the mobile: without one, no self-service.
            raise ServiceError(
                _("The liaison has no mobile number on file, so the link could not be unlocked."),
                code="no_mobile",
            )
        now = timezone.now()
        SelfServiceLink.objects.filter(OPEN, liaison=liaison).update(superseded_at=now)
        token = secrets.token_urlsafe(32)
        link = SelfServiceLink.objects.create(
            enterprise=enterprise,
            liaison=liaison,
            liaison_version=liaison.version,
            token_hash=token_hash(token),
            created_by=by,
            expires_at=now + datetime.timedelta(days=settings.SELF_SERVICE_LINK_DAYS),
        )
        message_enqueue(
            enterprise=enterprise,
            liaison=liaison,
            channel=channel,
            template=LINK_TEMPLATES[channel],
            context={"link": link_url(token)},
            purpose="self-service-link",
            by=by,
        )
    link.token = token
    return link


def selfservice_link_resolve(
    token: str, *, enterprise: Enterprise | None = None
) -> SelfServiceLink:
    """The link this token opens, or a LinkInvalid saying why not. Writes nothing.

    ``enterprise``: the enterprise the caller acts on; a link of another one is unknown.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkUnknown()
    link = (
        SelfServiceLink.objects.select_related("enterprise", "liaison")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or (enterprise is not None and link.enterprise_id != enterprise.pk):
        raise LinkUnknown()
    return link_check(link)


def link_check(link: SelfServiceLink) -> SelfServiceLink:
    """Raise LinkInvalid unless the link may still be used (also for a link held in a
    session, checked again on every request)."""
    if link.revoked_at is not None:
        raise LinkRevoked()
    if link.used_at is not None:
        raise LinkUsed()
    if link.superseded_at is not None:
        raise LinkSuperseded()
    if link.expires_at <= timezone.now():
        raise LinkExpired()
    liaison = link.liaison
    if (
        liaison.ended_on is not None
        or liaison.version != link.liaison_version
        or liaison.enterprise_id != link.enterprise_id
    ):
        raise LinkLiaisonChanged()
    return link


def selfservice_link_revoke(*, link: SelfServiceLink, by) -> SelfServiceLink:
    """Staff stop a link (e.g. sent to the wrong number). Revoking twice changes nothing."""
    SelfServiceLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    link.refresh_from_db()
    return link


def selfservice_link_use(*, link: SelfServiceLink) -> bool:
    """Spend the link (a submitted form). False if it was spent or stopped meanwhile."""
    return bool(SelfServiceLink.objects.filter(OPEN, pk=link.pk).update(used_at=timezone.now()))


# --- The one-time code --------------------------------------------------------------------


def _code_hash(link: SelfServiceLink, code: str) -> str:
    message = f"selfservice-code:{link.pk}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def selfservice_code_send(*, link: SelfServiceLink) -> None:
    """Send a new 6-digit code to the liaison's mobile on file; an older code stops working."""
    link_check(link)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SelfServiceLink.objects.filter(pk=link.pk).update(
            code_hash=_code_hash(link, code),
            code_expires_at=timezone.now() + CODE_VALID,
            code_tries_left=CODE_TRIES,
        )
        message_enqueue(
            enterprise=link.enterprise,
            liaison=link.liaison,
            channel=Channel.SMS,
            body=(
                f"您的验证码为{code}，{int(CODE_VALID.total_seconds() // 60)}分钟内有效，"
                "用于核对{{ enterprise }}联络员信息。请勿告知他人。"
            ),
            purpose="self-service-code",
        )


def selfservice_code_check(*, link: SelfServiceLink, code: str) -> SelfServiceLink:
    """Accept the code (the link is then unlocked) or raise CodeRefused.

    Each wrong code costs a try; with none left the code is dead and a new one must be sent.
    """
    code = (code or "").strip()
    # The refusal is raised after the transaction: a wrong code's lost try must be kept.
    refusal = None
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        if not locked.code_hash or locked.code_expires_at <= timezone.now():
            refusal = CodeRefused(_("This code has expired. Please ask for a new one."))
        elif locked.code_tries_left <= 0:
            refusal = CodeRefused(_("Too many wrong codes. Please ask for a new one."))
        elif not (code.isdigit() and len(code) == 6) or not hmac.compare_digest(
            locked.code_hash, _code_hash(locked, code)
        ):
            locked.code_tries_left -= 1
            if locked.code_tries_left == 0:
                locked.code_hash = ""  # spent: a new code must be sent
            locked.save(update_fields=["code_tries_left", "code_hash"])
            refusal = CodeRefused(_("That code is not right."), tries_left=locked.code_tries_left)
        else:
            locked.code_hash = ""
            locked.code_tries_left = 0
            locked.unlocked_at = timezone.now()
            locked.save(update_fields=["code_hash", "code_tries_left", "unlocked_at"])
    if refusal is not None:
        raise refusal
    return locked


# --- What the liaison does with an unlocked link ------------------------------------------


def _spend(link: SelfServiceLink, *, notice_version: str) -> None:
    """Mark the link used, with the notice the liaison accepted; LinkUsed if it already was."""
    spent = SelfServiceLink.objects.filter(OPEN, pk=link.pk).update(
        used_at=timezone.now(), notice_version=notice_version, notice_accepted_at=timezone.now()
    )
    if not spent:
        raise LinkUsed()


def selfservice_details_confirm(*, link: SelfServiceLink, notice_version: str) -> ContactAttempt:
    """ "My details are correct": a successful contact that verifies the liaison (the light
    goes back to green through the attempt's signal), and the link is spent."""
    with transaction.atomic():
        _spend(link, notice_version=notice_version)
        return contact_attempt_record(
            enterprise=link.enterprise,
            liaison=link.liaison,
            channel=ContactAttempt.Channel.SELF_SERVICE,
            outcome=ContactAttempt.Outcome.REACHED,
            verified=True,
            note=_("The liaison confirmed their details through their personal link."),
        )
