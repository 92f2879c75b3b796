"""Every write of liaison self-service: sending, resolving and revoking personal links, and
the one-time code that unlocks them.

A link is a ``secrets.token_urlsafe(32)`` token (256 bits); only its SHA-256 is stored
(``tokens.py``; links sent in bulk are made the same way in SQL, ``bulk.py``). It is
accepted while it is the liaison's newest link, unused, unrevoked, unexpired and the liaison's
entry is unchanged since it was sent. Resolving it writes nothing (link scanners open every
link they see).
"""

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import ServiceError
from outreach.messaging.defaults import CODE_TEMPLATE, NEW_MOBILE_CODE_TEMPLATE
from outreach.messaging.models import Channel
from outreach.messaging.refusals import own_template_require_approved
from outreach.messaging.services import message_enqueue
from outreach.models import ContactAttempt, Task
from outreach.selfservice.kinds import SELF_SERVICE_LOCKED_KIND, SELF_SERVICE_UPDATE_KIND
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.tokens import link_url, token_hash, token_new
from outreach.services import contact_attempt_record, task_open, tasks_close_where
from outreach.services.contact_log import HANDOVER_DUE_DAYS
from registry import clock
from registry.models import Door, EmergencyContact, Enterprise, Liaison
from registry.normalize import mask_phone
from registry.services import (
    emergency_contact_set,
    liaison_consent_record,
    liaison_replace,
    liaison_update,
)

CODE_VALID = datetime.timedelta(minutes=10)
CODE_TRIES = 5
LINK_TEMPLATES = {Channel.SMS: "self-service-link-sms", Channel.EMAIL: "self-service-link-email"}
# What a liaison may correct themselves (all of LIAISON_FIELDS; the ID number only with its
# own consent).
SELF_SERVICE_FIELDS = ("name", "position", "mobile", "landline", "email", "wechat", "id_number")
EMERGENCY_FIELDS = ("name", "relation", "phone")
OPEN = Q(used_at__isnull=True, revoked_at__isnull=True, superseded_at__isnull=True)


# --- Why a link or code is not accepted --------------------------------------------------


class LinkInvalid(ServiceError):
    """The link cannot be used; ``reason`` says why, for the friendly page (and is the
    error's ``code``); the message is the page's sentence for it."""

    reason = "unknown"
    text = _lazy("We could not find this link. Please check that it was copied completely.")

    def __init__(self):
        super().__init__(self.text, code=self.reason)


class LinkUnknown(LinkInvalid):
    reason = "unknown"


class LinkExpired(LinkInvalid):
    reason = "expired"
    text = _lazy("The link has expired.")


class LinkUsed(LinkInvalid):
    reason = "used"
    text = _lazy("The link has already been used. Thank you!")


class LinkSuperseded(LinkInvalid):
    reason = "superseded"
    text = _lazy("A newer link has been sent to you; please use that one.")


class LinkRevoked(LinkInvalid):
    reason = "revoked"
    text = _lazy("The link was withdrawn by the park.")


class LinkLiaisonChanged(LinkInvalid):
    reason = "liaison_changed"
    text = _lazy("The liaison details have changed since this link was sent.")


class LinkLocked(LinkInvalid):
    reason = "locked"
    text = _lazy(
        "To protect your details, the link was locked after too many wrong codes. The park "
        "has been told."
    )


class CodeRefused(ServiceError):
    """The code was not accepted; ``tries_left`` how many more may be made."""

    def __init__(self, message: str, *, tries_left: int = 0):
        super().__init__(message, code="code_refused")
        self.tries_left = tries_left


# --- Links --------------------------------------------------------------------------------


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
        if channel == Channel.EMAIL and not liaison.email:
            raise ServiceError(
                _("The liaison has no e-mail address on file."), field="channel", code="no_email"
            )
        now = clock.now()
        SelfServiceLink.objects.filter(OPEN, liaison=liaison).update(superseded_at=now)
        token = token_new()
        link = SelfServiceLink.objects.create(
            enterprise=enterprise,
            liaison=liaison,
            liaison_version=liaison.version,
            channel=channel,
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


_REFUSALS = {
    refusal.reason: refusal
    for refusal in (
        LinkRevoked,
        LinkLocked,
        LinkUsed,
        LinkSuperseded,
        LinkExpired,
        LinkLiaisonChanged,
    )
}


def link_check(link: SelfServiceLink) -> SelfServiceLink:
    """Raise LinkInvalid unless the link may still be used (also for a link held in a
    session, checked again on every request)."""
    state = link.state()
    if state != SelfServiceLink.STATE_OPEN:
        raise _REFUSALS[state]()
    return link


def selfservice_link_revoke(*, link: SelfServiceLink, by) -> SelfServiceLink:
    """Staff stop a link (e.g. sent to the wrong number). Revoking twice, or a link the
    liaison already used, changes nothing."""
    SelfServiceLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, used_at__isnull=True
    ).update(revoked_at=clock.now(), revoked_by=by)
    link.refresh_from_db()
    return link


def selfservice_link_use(*, link: SelfServiceLink) -> bool:
    """Spend the link (a submitted form). False if it was spent or stopped meanwhile."""
    return bool(SelfServiceLink.objects.filter(OPEN, pk=link.pk).update(used_at=clock.now()))


# --- The one-time code --------------------------------------------------------------------


def _code_hash(link: SelfServiceLink, code: str) -> str:
    message = f"selfservice-code:{link.pk}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def selfservice_code_send(*, link: SelfServiceLink) -> None:
    """Send a new 6-digit code to the liaison's mobile on file; an older code stops working."""
    link_check(link)
    own_template_require_approved(CODE_TEMPLATE, purpose="self-service-code")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SelfServiceLink.objects.filter(pk=link.pk).update(
            code_hash=_code_hash(link, code),
            code_expires_at=clock.now() + CODE_VALID,
            code_tries_left=CODE_TRIES,
        )
        message_enqueue(
            enterprise=link.enterprise,
            liaison=link.liaison,
            template=CODE_TEMPLATE,
            context={"code": code, "minutes": int(CODE_VALID.total_seconds() // 60)},
            purpose="self-service-code",
        )


# What a wrong code changes on the link, whichever code it was for (_wrong_code, _lock).
WRONG_CODE_FIELDS = [
    "code_tries_left",
    "code_hash",
    "mobile_code_tries_left",
    "mobile_code_hash",
    "wrong_codes",
    "locked_at",
]


def _wrong_code(link: SelfServiceLink, *, code: str, now) -> CodeRefused | LinkLocked:
    """One wrong entry of the link's ``code`` ("code": the unlock code sent to the mobile on
    file; "mobile_code": the code sent to a new mobile): a try lost, the code spent when none
    is left, and the link locked for good at SELF_SERVICE_WRONG_CODES_MAX wrong codes of
    either kind. Returns the refusal to raise once the change is saved."""
    tries = getattr(link, f"{code}_tries_left") - 1
    setattr(link, f"{code}_tries_left", tries)
    link.wrong_codes += 1
    if tries == 0:
        setattr(link, f"{code}_hash", "")  # spent: a new code must be sent
    if link.wrong_codes >= settings.SELF_SERVICE_WRONG_CODES_MAX:
        _lock(link, now=now)
        return LinkLocked()
    return CodeRefused(_("That code is not right."), tries_left=tries)


def selfservice_code_check(*, link: SelfServiceLink, code: str) -> SelfServiceLink:
    """Accept the code (the link is then unlocked) or raise CodeRefused.

    Each wrong code costs a try; with none left the code is dead and a new one must be sent.
    The wrong codes of all the link's codes add up: at SELF_SERVICE_WRONG_CODES_MAX the link
    is locked for good (LinkLocked) and the enterprise's worker gets a task.
    """
    code = (code or "").strip()
    # The refusal is raised after the transaction: a wrong code's lost try must be kept.
    refusal = None
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        now = clock.now()
        if locked.locked_at is not None:
            refusal = LinkLocked()
        elif not locked.code_hash or locked.code_expires_at <= now:
            refusal = CodeRefused(_("This code has expired. Please ask for a new one."))
        elif locked.code_tries_left <= 0:
            refusal = CodeRefused(_("Too many wrong codes. Please ask for a new one."))
        elif not (_ascii_digits(code) and len(code) == 6) or not hmac.compare_digest(
            locked.code_hash, _code_hash(locked, code)
        ):
            refusal = _wrong_code(locked, code="code", now=now)
            locked.save(update_fields=WRONG_CODE_FIELDS)
        else:
            locked.code_hash = ""
            locked.code_tries_left = 0
            locked.unlocked_at = clock.now()
            locked.save(update_fields=["code_hash", "code_tries_left", "unlocked_at"])
    if refusal is not None:
        raise refusal
    return locked


# --- A new mobile, confirmed by a code sent to it ----------------------------------------


class MobileCodeRequired(ServiceError):
    """The correction changes the mobile: a code must first be sent to the new number."""

    def __init__(self, mobile: str):
        super().__init__(
            _lazy(
                "A new number is confirmed with a code sent to it; until then the number on "
                "file stays in use."
            ),
            field="mobile_code",
            code="mobile_code_required",
        )
        self.mobile = mobile


def _mobile_code_hash(link: SelfServiceLink, mobile: str, code: str) -> str:
    message = f"selfservice-new-mobile:{link.pk}:{mobile}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _new_mobile(link: SelfServiceLink, value: str) -> str | None:
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
    mobile = _new_mobile(link, mobile)
    if mobile is None:
        raise ServiceError(_("This is the mobile number already on file."), field="mobile")
    own_template_require_approved(NEW_MOBILE_CODE_TEMPLATE, purpose="self-service-code")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SelfServiceLink.objects.filter(pk=link.pk).update(
            mobile_code_hash=_mobile_code_hash(link, mobile, code),
            mobile_code_expires_at=clock.now() + CODE_VALID,
            mobile_code_tries_left=CODE_TRIES,
        )
        message_enqueue(
            enterprise=link.enterprise,
            liaison=link.liaison,
            to=mobile,
            template=NEW_MOBILE_CODE_TEMPLATE,
            context={"code": code, "minutes": int(CODE_VALID.total_seconds() // 60)},
            purpose="self-service-code",
        )
    return mask_phone(mobile)


def _mobile_code_check(*, link: SelfServiceLink, mobile: str, code: str) -> None:
    """Accept the code sent to ``mobile`` or raise CodeRefused (LinkLocked past the link's
    lifetime cap: these wrong codes count towards it too); a wrong code's lost try is
    committed in its own transaction (the correction that follows may still roll back)."""
    code = (code or "").strip()
    refusal = None
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        now = clock.now()
        if locked.locked_at is not None:
            refusal = LinkLocked()
        elif not locked.mobile_code_hash or locked.mobile_code_expires_at <= now:
            refusal = CodeRefused(
                _("This code has expired. Please have a new one sent to your new number.")
            )
        elif locked.mobile_code_tries_left <= 0:
            refusal = CodeRefused(
                _("Too many wrong codes. Please have a new one sent to your new number.")
            )
        elif not (_ascii_digits(code) and len(code) == 6) or not hmac.compare_digest(
            locked.mobile_code_hash, _mobile_code_hash(locked, mobile, code)
        ):
            refusal = _wrong_code(locked, code="mobile_code", now=now)
            locked.save(update_fields=WRONG_CODE_FIELDS)
    if refusal is not None:
        raise refusal


def _ascii_digits(text: str) -> bool:
    # str.isdigit() also takes "١٢٣" and "¹²³"; a code is typed in ASCII digits.
    return text.isascii() and text.isdigit()


def _lock(link: SelfServiceLink, *, now) -> None:
    """Too many wrong codes: the link is dead, and staff are told (a task for the enterprise's
    grid worker, and the link's state on the enterprise page)."""
    link.locked_at = now
    link.code_hash = ""
    link.code_tries_left = 0
    task_open(
        enterprise=link.enterprise,
        kind=SELF_SERVICE_LOCKED_KIND,
        source=Task.Source.SELF_SERVICE,
        note=_(
            "The personal link sent on %(sent)s was locked after %(count)d wrong codes. "
            "Call the liaison: if they asked for it, send a new link; if not, someone else "
            "may be trying their link."
        )
        % {
            "sent": clock.local(link.created_at).strftime("%Y-%m-%d"),
            "count": link.wrong_codes,
        },
        now=now,
    )


# --- What the liaison does with an unlocked link ------------------------------------------


def _spend(link: SelfServiceLink, *, notice_version: str, id_number_consent: bool = False) -> None:
    """Mark the link used, with the notice the liaison accepted (also on the liaison's
    entry); LinkUsed if it was spent meanwhile (another tab, a double tap)."""
    now = clock.now()
    spent = SelfServiceLink.objects.filter(OPEN, pk=link.pk).update(
        used_at=now,
        notice_version=notice_version,
        notice_accepted_at=now,
        id_number_consent_at=now if id_number_consent else None,
    )
    if not spent:
        raise LinkUsed()
    liaison_consent_record(
        liaison=link.liaison, version=notice_version, by=None, door=Door.SELF_SERVICE, at=now
    )


def _self_service_attempt(link: SelfServiceLink, *, verified: bool, note: str) -> ContactAttempt:
    return contact_attempt_record(
        enterprise=link.enterprise,
        liaison=link.liaison,
        channel=ContactAttempt.Channel.SELF_SERVICE,
        outcome=ContactAttempt.Outcome.REACHED,
        verified=verified,
        note=note,
    )


def selfservice_details_confirm(*, link: SelfServiceLink, notice_version: str) -> ContactAttempt:
    """ "My details are correct": a successful contact that verifies the liaison (the light
    goes back to green through the attempt's signal), and the link is spent."""
    with transaction.atomic():
        _spend(link, notice_version=notice_version)
        return _self_service_attempt(
            link,
            verified=True,
            note=_("The liaison confirmed their details through their personal link."),
        )


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({f"{prefix}{k}": v for k, v in error.error_dict.items()})


def selfservice_details_correct(
    *,
    link: SelfServiceLink,
    notice_version: str,
    liaison_details: dict[str, Any],
    emergency_contact: dict[str, Any] | None = None,
    id_number_consent: bool = False,
    mobile_code: str = "",
) -> list[str]:
    """The liaison corrects their own entry (and the emergency contact): applied at once,
    validated as everywhere else, history marked as self-service. Counts as a verified
    contact; the enterprise's worker gets a task saying what changed. All or nothing: a
    ValidationError (emergency fields prefixed ``emergency_``) leaves the link unspent.

    A different mobile needs ``mobile_code``, the code selfservice_mobile_code_send sent to
    it: without one MobileCodeRequired, with a wrong or expired one CodeRefused, and in
    both cases nothing is written.

    Returns the labels of what changed.
    """
    details = {k: v for k, v in liaison_details.items() if k in SELF_SERVICE_FIELDS}
    if not id_number_consent:
        details.pop("id_number", None)
    # A new mobile counts only once the code sent to it comes back: until then nothing is
    # written and the number on file stays the liaison's (a typo would cut them off).
    new_mobile = _new_mobile(link, details.get("mobile", ""))
    if new_mobile is not None:
        if not (mobile_code or "").strip():
            raise MobileCodeRequired(new_mobile)
        _mobile_code_check(link=link, mobile=new_mobile, code=mobile_code)
    with transaction.atomic():
        _spend(link, notice_version=notice_version, id_number_consent=id_number_consent)
        # The link checked the liaison's version when it was opened: a staff edit since
        # then makes this a stale edit instead of a silent overwrite.
        changed = liaison_update(
            liaison=link.liaison,
            by=None,
            door=Door.SELF_SERVICE,
            expected_version=link.liaison_version,
            **details,
        )
        labels = [str(Liaison._meta.get_field(name).verbose_name) for name in changed]
        if emergency_contact and any(emergency_contact.values()):
            before = EmergencyContact.objects.filter(enterprise=link.enterprise).first()
            try:
                after = emergency_contact_set(
                    enterprise=link.enterprise,
                    by=None,
                    door=Door.SELF_SERVICE,
                    **{k: v for k, v in emergency_contact.items() if k in EMERGENCY_FIELDS},
                )
            except ValidationError as error:
                raise _prefixed(error, "emergency_") from error
            if before is None or before.version != after.version:
                labels.append(str(EmergencyContact._meta.verbose_name))
        note = (
            _("The liaison corrected through their personal link: %(what)s.")
            % {"what": "、".join(labels)}
            if labels
            else _("The liaison confirmed their details through their personal link.")
        )
        _self_service_attempt(link, verified=True, note=note)
        if labels:
            task_open(
                enterprise=link.enterprise,
                kind=SELF_SERVICE_UPDATE_KIND,
                source=Task.Source.SELF_SERVICE,
                note=note,
            )
    return labels


def selfservice_leaving_report(
    *,
    link: SelfServiceLink,
    notice_version: str,
    last_day: datetime.date,
    successor_name: str,
    successor_mobile: str,
) -> Task:
    """ "I am leaving": the liaison names their last day and successor. Staff get a handover
    task with the successor in its note; they confirm it (liaison_replace), after which the
    successor gets their own link. Nothing in the registry changes yet: the successor's
    details are the leaving liaison's word, not the successor's."""
    errors = {}
    name = (successor_name or "").strip()
    if not name:
        errors["successor_name"] = [_("Please give your successor's name.")]
    try:
        mobile = Liaison._meta.get_field("mobile").clean(successor_mobile, None)
    except ValidationError as error:
        errors["successor_mobile"] = error.messages
    today = clock.today()
    if last_day is None or not (
        today - datetime.timedelta(days=90) <= last_day <= today + datetime.timedelta(days=365)
    ):
        errors["last_day"] = [
            _("Please give your last day (within the past 90 days or the coming year).")
        ]
    if errors:
        raise ValidationError(errors)
    # The note is read in lists by every role (the auditor too): the successor's mobile is
    # masked in it; the enterprise panel shows it whole through a logged "show".
    note = _(
        "Reported by the liaison through their personal link: last day %(day)s; successor "
        "%(name)s, mobile %(mobile)s (in full on the enterprise page). Confirm with the "
        "enterprise, then replace the liaison."
    ) % {"day": last_day.isoformat(), "name": name, "mobile": mask_phone(mobile)}
    with transaction.atomic():
        _spend(link, notice_version=notice_version)
        SelfServiceLink.objects.filter(pk=link.pk).update(
            leaving_on=last_day, successor_name=name, successor_mobile=mobile
        )
        _self_service_attempt(
            link, verified=False, note=_("The liaison reported that they are leaving.")
        )
        # After the attempt: a reached liaison answers an open handover task, and this one
        # must stay open for staff.
        return task_open(
            enterprise=link.enterprise,
            kind=Task.Kind.HANDOVER,
            source=Task.Source.SELF_SERVICE,
            due_on=today + datetime.timedelta(days=HANDOVER_DUE_DAYS),
            note=note,
        )


def selfservice_handover_confirm(*, link: SelfServiceLink, by) -> SelfServiceLink:
    """Staff confirmed a handover the liaison reported: the successor becomes the liaison
    (the leaver's period ends today), the handover task is done, and the successor is sent
    their own link to check and complete their details. Returns the successor's link."""
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        if not locked.successor_name or locked.handover_confirmed_at is not None:
            raise ServiceError(_("There is no reported handover to confirm."), code="no_handover")
        current = Liaison.objects.filter(
            enterprise=locked.enterprise_id, ended_on__isnull=True
        ).first()
        if current is None or current.pk != locked.liaison_id:
            raise ServiceError(
                _("The liaison has changed since the handover was reported."),
                code="liaison_changed",
            )
        liaison_replace(
            enterprise=locked.enterprise,
            by=by,
            name=locked.successor_name,
            mobile=locked.successor_mobile,
        )
        locked.handover_confirmed_at = clock.now()
        locked.save(update_fields=["handover_confirmed_at"])
        tasks_close_where(
            tasks=Task.objects.filter(
                enterprise=locked.enterprise, kind=Task.Kind.HANDOVER, status=Task.Status.OPEN
            ),
            by=by,
            note=_("Handover confirmed; the successor was sent their own link."),
        )
        return selfservice_link_send(enterprise=locked.enterprise, by=by)


def reported_handover(enterprise: Enterprise) -> SelfServiceLink | None:
    """The handover the current liaison reported and staff have not confirmed yet."""
    return (
        SelfServiceLink.objects.filter(
            enterprise=enterprise,
            liaison__ended_on__isnull=True,
            handover_confirmed_at__isnull=True,
        )
        .exclude(successor_name="")
        .order_by("-used_at")
        .first()
    )
