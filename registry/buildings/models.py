"""Buildings, their contacts, and the suggested links of enterprises to them.

History: buildings and contacts are tracked like the registry's other tables (every change a
row, by trigger); an enterprise's link to its building is a column of the enterprise
(``Enterprise.building``), so its history is the enterprise's.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.bulk_history import AnyChangeOutsideBulkHistory, OutsideBulkHistory
from registry.fields import CleanCharField, PhoneField
from registry.normalize import mask_phone


def _tracked():
    return pghistory.track(
        pghistory.InsertEvent(condition=OutsideBulkHistory()),
        pghistory.UpdateEvent(condition=AnyChangeOutsideBulkHistory()),
        pghistory.DeleteEvent(condition=OutsideBulkHistory()),
    )


@_tracked()
class Building(models.Model):
    """An office building (or a site) of the park, with whom to ask about its tenants."""

    name = CleanCharField(pgettext_lazy("building", "name"), max_length=100)
    address = CleanCharField(_("address"), max_length=300)
    # registry.address_key of the address, kept by the services on every write: what the
    # enterprises' addresses are matched against (registry.sql.buildings).
    address_key = models.CharField(_("address key"), max_length=300, editable=False)
    grid = models.ForeignKey(
        "registry.GridArea",
        verbose_name=_("grid area"),
        related_name="buildings",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    property_company = CleanCharField(_("property company"), max_length=200, blank=True)
    landlord = CleanCharField(_("landlord"), max_length=200, blank=True)
    note = CleanCharField(_("note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            # One building per key: two would split the same tenants between them.
            models.UniqueConstraint(fields=["address_key"], name="building_one_per_address_key"),
        ]

    def __str__(self) -> str:
        return self.name


@_tracked()
class BuildingContact(models.Model):
    """Someone of the building to ask: the landlord, a property manager, the front desk."""

    class Role(models.TextChoices):
        LANDLORD = "landlord", _("Landlord")
        PROPERTY_MANAGER = "property_manager", _("Property manager")
        FRONT_DESK = "front_desk", _("Front desk / security")
        OTHER = "other", _("Other")

    building = models.ForeignKey(
        Building, verbose_name=_("building"), related_name="contacts", on_delete=models.CASCADE
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = CleanCharField(pgettext_lazy("person", "name"), max_length=50)
    organisation = CleanCharField(_("organisation"), max_length=200, blank=True)
    phone = PhoneField(_("phone"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["building", "role", "id"]
        verbose_name = _("building contact")
        verbose_name_plural = _("building contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    # registry.services.sensitive_value_reveal logs a view against an enterprise when the
    # record has one; a building's contact belongs to no enterprise.
    enterprise = None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class BuildingSuggestion(models.Model):
    """An enterprise whose address gives a building's key and which is not linked to it:
    written set-based (registry.sql.buildings.suggestions_refresh), then confirmed (the link
    is set on the enterprise) or rejected by staff; a decided one is kept, with who and when,
    so it is not suggested again."""

    class Matched(models.TextChoices):
        REGISTERED = "registered", _("registered address")
        OPERATING = "operating", _("operating address")

    class Status(models.TextChoices):
        OPEN = "open", _("To confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    building = models.ForeignKey(
        Building, verbose_name=_("building"), related_name="suggestions", on_delete=models.CASCADE
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        related_name="building_suggestions",
        on_delete=models.CASCADE,
    )
    matched_on = models.CharField(_("matched on"), max_length=12, choices=Matched.choices)
    status = models.CharField(
        pgettext_lazy("suggestion", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
    )
    created_at = models.DateTimeField(_("suggested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        ordering = ["building", "enterprise"]
        verbose_name = _("building suggestion")
        verbose_name_plural = _("building suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "enterprise"], name="buildingsuggestion_one_per_pair"
            ),
        ]
        indexes = [
            # The enterprise page's panel: its open suggestions.
            models.Index(fields=["enterprise", "status"], name="buildingsuggestion_ent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.building_id} ← {self.enterprise_id} ({self.status})"
