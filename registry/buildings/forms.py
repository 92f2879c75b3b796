"""Forms of the building pages: they parse; the services validate (registry.forms)."""

from registry.buildings.services import BUILDING_FIELDS, CONTACT_FIELDS
from registry.forms import RegistryForm
from registry.models import Building, BuildingContact


class BuildingForm(RegistryForm):
    class Meta:
        model = Building
        fields = BUILDING_FIELDS


class BuildingContactForm(RegistryForm):
    """The phone is protected: never in the form's initial data (registry.forms)."""

    class Meta:
        model = BuildingContact
        fields = CONTACT_FIELDS
