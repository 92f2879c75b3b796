"""Which fields are protected, how they look masked, and who may unmask them.

Two permissions, because the people who must phone a liaison are not the people who need
their ID number:
- ``registry.view_full_phone``: full phone numbers (staff and grid workers call liaisons);
- ``registry.view_sensitive``: ID number, beneficial owner, tax residency.
Even with the permission a value is shown masked until the user asks to see it, and each
such view is logged (registry.services.sensitive_value_reveal).
"""

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
