"""Every write to buildings, their contacts and the links of enterprises to them; each in
one transaction, its history tagged with who and which door (registry.services.changes_by).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError, StaleEdit
from registry import clock
from registry.address_key import address_key
from registry.models import Building, BuildingContact, BuildingSuggestion, Door, Enterprise
from registry.services import changes_by, enterprise_update
from registry.sql import buildings as sql

BUILDING_FIELDS = ("name", "address", "grid", "property_company", "landlord", "note")
CONTACT_FIELDS = ("role", "name", "organisation", "phone")


def _set(instance, changes: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set, normalise and validate; the fields whose value really changed."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ServiceError(
            _("Unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value if value is not None or name == "grid" else "")
    if isinstance(instance, Building):
        instance.address_key = address_key(instance.address)
        if not instance.address_key:
            raise ValidationError({"address": _("Enter the building's address.")})
        twin = Building.objects.filter(address_key=instance.address_key).exclude(pk=instance.pk)
        if twin.exists():
            raise ValidationError(
                {
                    "address": _("This address is already the building “%(name)s”.")
                    % {"name": twin.first().name}
                }
            )
    instance.full_clean()
    return [name for name in changes if getattr(instance, name) != before[name]]


def _stale(instance, expected_version: int | None, fields) -> None:
    if expected_version is not None and instance.version != expected_version:
        raise StaleEdit(
            current={name: getattr(instance, name) for name in fields}, version=instance.version
        )


def building_suggestions_refresh(
    *, now: datetime.datetime, building: Building | None = None
) -> tuple[int, int]:
    """Suggest the enterprises whose address names the building (or any building), take back
    what no longer holds; returns (added, taken back). Run on every change of a building's
    address and nightly (enterprises' addresses change by import and by hand)."""
    with transaction.atomic(), connection.cursor() as cursor:
        return sql.suggestions_refresh(
            cursor, now=now, building_id=building.pk if building is not None else None
        )


def building_create(*, by, door: Door = Door.STAFF, **fields: Any) -> Building:
    with changes_by(by=by, door=door):
        building = Building()
        _set(building, fields, BUILDING_FIELDS)
        building.save()
        building_suggestions_refresh(now=clock.now(), building=building)
    return building


def building_update(
    *,
    building: Building,
    by,
    door: Door = Door.STAFF,
    expected_version: int | None = None,
    **changes: Any,
) -> list[str]:
    """Change a building; a new address is matched again at once."""
    with changes_by(by=by, door=door):
        locked = Building.objects.select_for_update().get(pk=building.pk)
        _stale(locked, expected_version, changes)
        key_before = locked.address_key
        changed = _set(locked, changes, BUILDING_FIELDS)
        if changed:
            locked.version += 1
            locked.save()
        if locked.address_key != key_before:
            building_suggestions_refresh(now=clock.now(), building=locked)
    building.refresh_from_db()
    return changed


def building_contact_save(
    *,
    building: Building,
    by,
    contact: BuildingContact | None = None,
    door: Door = Door.STAFF,
    expected_version: int | None = None,
    **fields: Any,
) -> BuildingContact:
    """Add a contact to the building, or change one of its contacts."""
    with changes_by(by=by, door=door):
        if contact is None:
            contact = BuildingContact(building=building)
            _set(contact, fields, CONTACT_FIELDS)
            contact.save()
            return contact
        locked = BuildingContact.objects.select_for_update().get(pk=contact.pk, building=building)
        _stale(locked, expected_version, fields)
        if _set(locked, fields, CONTACT_FIELDS):
            locked.version += 1
            locked.save()
    return locked


def building_contact_delete(*, contact: BuildingContact, by, door: Door = Door.STAFF) -> None:
    with changes_by(by=by, door=door):
        contact.delete()


def _locked_open(suggestion: BuildingSuggestion) -> BuildingSuggestion:
    locked = (
        BuildingSuggestion.objects.select_for_update()
        .select_related("building", "enterprise")
        .filter(pk=suggestion.pk, status=BuildingSuggestion.Status.OPEN)
        .first()
    )
    if locked is None:
        raise ServiceError(_("This suggestion has already been decided."), code="decided")
    return locked


def _decided(suggestion: BuildingSuggestion, status: str, by) -> None:
    suggestion.status = status
    suggestion.decided_at = clock.now()
    suggestion.decided_by = by
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])


def building_link_confirm(*, suggestion: BuildingSuggestion, by) -> Enterprise:
    """Staff confirm: the enterprise is in the building (a change of the enterprise, in its
    history). Two confirmations at once: the second is told it is decided."""
    with transaction.atomic():
        locked = _locked_open(suggestion)
        enterprise = locked.enterprise
        enterprise_update(enterprise=enterprise, by=by, building=locked.building)
        _decided(locked, BuildingSuggestion.Status.CONFIRMED, by)
    return enterprise


def building_link_reject(*, suggestion: BuildingSuggestion, by) -> BuildingSuggestion:
    """Staff say no: kept as rejected, so the nightly refresh does not suggest it again."""
    with transaction.atomic():
        locked = _locked_open(suggestion)
        _decided(locked, BuildingSuggestion.Status.REJECTED, by)
    return locked


def building_link_remove(*, enterprise: Enterprise, by) -> None:
    """The enterprise is no longer in its building (moved): the link goes, in its history;
    its confirmation goes too, so that an address still naming the building is suggested
    again (the address may be stale)."""
    with transaction.atomic():
        building_id = Enterprise.objects.select_for_update().get(pk=enterprise.pk).building_id
        enterprise_update(enterprise=enterprise, by=by, building=None)
        BuildingSuggestion.objects.filter(
            enterprise=enterprise,
            building_id=building_id,
            status=BuildingSuggestion.Status.CONFIRMED,
        ).delete()
