"""Which fields are protected, how they look masked, and who may unmask them.

Two permissions, because the people who must phone a liaison are not the people who need
their ID number:
- ``registry.view_full_phone``: full phone numbers (staff and grid workers call liaisons);
- ``registry.view_sensitive``: ID number, beneficial owner, tax residency.
Even with the permission a value is shown masked until the user asks to see it, and each
such view is logged (registry.services.sensitive_value_reveal).
"""

import re
from collections.abc import Callable

from registry.normalize import mask_id_number, mask_phone, mask_text

PHONE = "registry.view_full_phone"
SENSITIVE = "registry.view_sensitive"

# record kind -> field -> (permission needed to unmask, how it looks masked)
PROTECTED: dict[str, dict[str, tuple[str, Callable[[str], str]]]] = {
    "enterprise": {
        "registered_phone": (PHONE, mask_phone),
        "annual_report_phone": (PHONE, mask_phone),
        "legal_representative_backup_phone": (PHONE, mask_phone),
        "beneficial_owner": (SENSITIVE, mask_text),
        "tax_residency": (SENSITIVE, mask_text),
    },
    "liaison": {
        "mobile": (PHONE, mask_phone),
        "landline": (PHONE, mask_phone),
        "id_number": (SENSITIVE, mask_id_number),
    },
    "emergencycontact": {
        "phone": (PHONE, mask_phone),
    },
    # A building's landlord, property manager, front desk (registry/buildings).
    "buildingcontact": {
        "phone": (PHONE, mask_phone),
    },
}


def record_kind(instance) -> str:
    return instance._meta.model_name


def is_protected(kind: str, field: str) -> bool:
    return field in PROTECTED.get(kind, {})


def masked(kind: str, field: str, value: str | None) -> str:
    """The value as anyone may see it (the masked form for a protected field)."""
    if not is_protected(kind, field):
        return value or ""
    _permission, mask = PROTECTED[kind][field]
    return mask(value or "")


def may_unmask(user, kind: str, field: str) -> bool:
    if not is_protected(kind, field):
        return True
    permission, _mask = PROTECTED[kind][field]
    return user.is_authenticated and user.has_perm(permission)


def masked_fields(instance) -> dict[str, str]:
    """Every protected field of a record, masked: what pages and the API show by default."""
    kind = record_kind(instance)
    return {
        field: masked(kind, field, getattr(instance, field)) for field in PROTECTED.get(kind, {})
    }


def register_protected(kind: str, field: str, permission: str, mask: Callable[[str], str]) -> None:
    """Higher apps protect a field of their own models (outreach: the successor's mobile a
    leaving liaison reports), so the logged "show" (services.sensitive_value_reveal) serves
    it too, without the registry importing them."""
    PROTECTED.setdefault(kind, {})[field] = (permission, mask)


# Numbers inside free text (notes, message bodies): an ID number first (its digits would
# otherwise read as a mobile), then mobiles, then landlines. People group a number as they
# like ("1380 0138 000", "138.0013.8000", "(021)5555 1234", "+86 138 0013 8000"), so any
# digit may be followed by one separator (space, dot, hyphen, parenthesis); the number must
# not touch another digit on either side. The mask is the registry's (normalize.mask_phone)
# over the number's digits, whatever its grouping was.
# An ID number has its holder's birth date at characters 7–14 (GB 11643), which keeps an
# all-digit credit code in a note readable.
_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
_MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:\+?86[\s.-]?)?(?P<number>1[3-9](?:[\s.()-]?[0-9]){9})(?![0-9])"
)
# 0, a 2–3 digit area code (in parentheses or not), then 7–8 digits.
_LANDLINE_IN_TEXT = re.compile(
    r"(?<![0-9])\(?(?P<area>0[0-9]{2,3})\)?[\s.-]?"
    r"(?P<number>[0-9](?:[\s.-]?[0-9]){6,7})(?![0-9])"
)


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def mask_free_text(text: str | None) -> str:
    """Free text as anyone may see it: every mobile, landline and ID number in it masked
    the way the registry masks them (PIPL art. 51). Notes are written by people and by the
    portal; whichever wrote a number into one, a list never shows it whole."""
    if not text:
        return ""
    text = str(text)
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0).upper()), text)
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(_digits(m.group("number"))), text)
    return _LANDLINE_IN_TEXT.sub(
        lambda m: mask_phone(f"{m.group('area')}-{_digits(m.group('number'))}"), text
    )


def mask_address(address: str | None) -> str:
    """A message's recipient as lists show it: a phone number masked, an e-mail address as
    it is (not protected)."""
    address = address or ""
    return address if "@" in address else mask_free_text(address) if address else ""
