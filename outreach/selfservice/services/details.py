"""What the liaison does with an unlocked link about their own details: confirm them
("my details are correct") or correct them (and the enterprise's emergency contact). Either
counts as a verified contact and spends the link."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outreach.models import ContactAttempt, Task
from outreach.selfservice.kinds import SELF_SERVICE_UPDATE_KIND
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.codes import mobile_code_check, new_mobile
from outreach.selfservice.services.links import link_spend
from outreach.selfservice.services.refusals import MobileCodeRequired
from outreach.services import contact_attempt_record, task_open
from registry.models import Door, EmergencyContact, Enterprise, Liaison
from registry.services import emergency_contact_set, liaison_update

# What a liaison may correct themselves (all of LIAISON_FIELDS; the ID number only with its
# own consent).
SELF_SERVICE_FIELDS = ("name", "position", "mobile", "landline", "email", "wechat", "id_number")
EMERGENCY_FIELDS = ("name", "relation", "phone")


def self_service_attempt(link: SelfServiceLink, *, verified: bool, note: str) -> ContactAttempt:
    """What the liaison did through the link, logged as a contact that reached them."""
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
        link_spend(link, notice_version=notice_version)
        return self_service_attempt(
            link,
            verified=True,
            note=_("The liaison confirmed their details through their personal link."),
        )


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
    _new_mobile_confirmed(link, mobile=details.get("mobile", ""), code=mobile_code)
    with transaction.atomic():
        link_spend(link, notice_version=notice_version, id_number_consent=id_number_consent)
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
        if _emergency_contact_correct(link.enterprise, emergency_contact or {}):
            labels.append(str(EmergencyContact._meta.verbose_name))
        note = (
            _("The liaison corrected through their personal link: %(what)s.")
            % {"what": "、".join(labels)}
            if labels
            else _("The liaison confirmed their details through their personal link.")
        )
        self_service_attempt(link, verified=True, note=note)
        if labels:
            task_open(
                enterprise=link.enterprise,
                kind=SELF_SERVICE_UPDATE_KIND,
                source=Task.Source.SELF_SERVICE,
                note=note,
            )
    return labels


def _new_mobile_confirmed(link: SelfServiceLink, *, mobile: str, code: str) -> None:
    """A new mobile counts only once the code sent to it comes back: until then nothing is
    written and the number on file stays the liaison's (a typo would cut them off).
    MobileCodeRequired without a code, CodeRefused with a wrong one."""
    mobile = new_mobile(link, mobile)
    if mobile is None:
        return
    if not (code or "").strip():
        raise MobileCodeRequired(mobile)
    mobile_code_check(link=link, mobile=mobile, code=code)


def _emergency_contact_correct(enterprise: Enterprise, values: dict[str, Any]) -> bool:
    """Write the emergency contact the liaison gave (nothing if the fields were left empty);
    whether it changed. A ValidationError names its fields with the prefix ``emergency_``, as
    the form does."""
    if not any(values.values()):
        return False
    before = EmergencyContact.objects.filter(enterprise=enterprise).first()
    try:
        after = emergency_contact_set(
            enterprise=enterprise,
            by=None,
            door=Door.SELF_SERVICE,
            **{k: v for k, v in values.items() if k in EMERGENCY_FIELDS},
        )
    except ValidationError as error:
        raise _prefixed(error, "emergency_") from error
    return before is None or before.version != after.version


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({f"{prefix}{k}": v for k, v in error.error_dict.items()})
