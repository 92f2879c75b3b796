"""Forms of the registry pages: they parse and render; the services validate and write.

Protected fields (phones, ID number, beneficial owner, tax residency) are never put in a
form's initial data: the input shows the masked value as a placeholder and an empty input
keeps what is stored, so opening an edit page is not an unmasked view. Fields a user may not
unmask at all are left out of their form.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from registry import masking
from registry.holidays import MAX_FILE_BYTES, holiday_file_text, holiday_rows_parse
from registry.ids import IdMultipleChoiceField
from registry.models import EmergencyContact, Enterprise, GridArea, Liaison
from registry.roles import Role
from registry.services import EMERGENCY_CONTACT_FIELDS, LIAISON_FIELDS

ENTERPRISE_FIELDS = (
    "name",
    "registered_address",
    "operating_address",
    "grid",
    "industry",
    "size",
    "status",
    "key_taxpayer",
    "pre_approval",
    "marked_key",
    "registered_phone",
    "annual_report_phone",
    "legal_representative",
    "legal_representative_backup_phone",
    "executives",
    "business_scope",
    "beneficial_owner",
    "tax_residency",
)
# Moving an enterprise between grids or marking it key is for staff and admins.
_OFFICE_ONLY = {"grid", "marked_key"}


class RegistryForm(forms.ModelForm):
    """A ModelForm that only parses: model validation is the service's job (full_clean)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kind = self._meta.model._meta.model_name
        stored = self.instance if self.instance.pk else None
        for name in list(self.fields):
            if not masking.is_protected(kind, name):
                continue
            if not masking.may_unmask(user, kind, name):
                del self.fields[name]
                continue
            field = self.fields[name]
            field.required = False
            self.initial[name] = ""
            if stored is not None and getattr(stored, name):
                field.widget.attrs["placeholder"] = masking.masked(
                    kind, name, getattr(stored, name)
                )
                field.help_text = _("Leave empty to keep the number shown; type to replace it.")
        if stored is not None:
            self.initial["version"] = stored.version
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
            if isinstance(field, forms.CharField):
                # Lengths are checked after normalisation, by the model: "+86 139-1234-5678"
                # is a fine way to type an 11-digit mobile.
                field.max_length = None
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ]
                field.widget.attrs.pop("maxlength", None)

    def _post_clean(self):
        pass  # no model validation here: the service runs full_clean and reports per field

    def changes(self) -> dict:
        """What the user asked to change: every shown field, minus protected fields left empty
        (which mean "keep")."""
        kind = self._meta.model._meta.model_name
        data = {}
        for name in self.fields:
            if name == "version":
                continue
            value = self.cleaned_data.get(name)
            if masking.is_protected(kind, name) and self.instance.pk and value in ("", None):
                continue
            data[name] = value
        return data


class EnterpriseForm(RegistryForm):
    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        widgets = {
            "executives": forms.Textarea(attrs={"rows": 3}),
            "business_scope": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, role=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if role not in (Role.ADMIN, Role.STAFF):
            for name in _OFFICE_ONLY:
                self.fields.pop(name, None)


class LiaisonForm(RegistryForm):
    class Meta:
        model = Liaison
        fields = LIAISON_FIELDS


class LiaisonReplaceForm(RegistryForm):
    """A new person: nothing masked to keep, so every field is typed fresh."""

    started_on = forms.DateField(
        label=_("Takes over on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Liaison
        fields = LIAISON_FIELDS


class EmergencyContactForm(RegistryForm):
    class Meta:
        model = EmergencyContact
        fields = EMERGENCY_CONTACT_FIELDS


class GridAreaForm(forms.ModelForm):
    workers = IdMultipleChoiceField(
        label=_("grid workers"),
        queryset=get_user_model().objects.filter(groups__name=Role.GRID_WORKER.value),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = GridArea
        fields = ("code", "name", "workers")

    def _post_clean(self):
        pass  # the service validates


def _grid_areas_field() -> IdMultipleChoiceField:
    return IdMultipleChoiceField(
        label=_("Grid areas worked"),
        queryset=GridArea.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For grid workers: the grid areas whose enterprises they work."),
    )


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("No role")), *Role.choices], required=False
    )
    grid_areas = _grid_areas_field()
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An account switched off cannot log in; its history stays."),
    )


class UserCreateForm(forms.Form):
    """A new account; the portal makes its one-time password (registry.services.user_create)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to log in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    grid_areas = _grid_areas_field()


class HolidayYearForm(forms.Form):
    """A year's arrangement typed (or pasted) as lines; parsed by registry.holidays."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=_("Official notice"),
        max_length=100,
        help_text=_("The State Council's notice, e.g. 国办发明电〔2026〕7号"),
    )
    days = forms.CharField(
        label=_("Holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "mono"}),
        help_text=_(
            "One day per line: date, 休 (holiday) or 班 (make-up working day), name; "
            "e.g. 2027-02-10,休,春节. The days not listed are ordinary days "
            "(Monday to Friday work)."
        ),
    )

    def __init__(self, *args, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_year = year
        if year is not None:
            del self.fields["year"]

    def clean(self):
        data = super().clean()
        year = self.fixed_year or data.get("year")
        if year and data.get("days"):
            try:
                data["rows"] = holiday_rows_parse(data["days"], year=year)
            except forms.ValidationError as error:
                self.add_error("days", error)
        return data


class HolidayImportForm(forms.Form):
    """A year's arrangement from a small CSV file (the same columns as the lines)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=_("Official notice"),
        max_length=100,
        help_text=_("The State Council's notice, e.g. 国办发明电〔2026〕7号"),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: date, 休/假/holiday or 班/workday, name (a header line is allowed). "
            "If the year is already entered, the file replaces all its days."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("file"):
            try:
                # One byte over the limit is enough to refuse it.
                text = holiday_file_text(data["file"].read(MAX_FILE_BYTES + 1))
                data["rows"] = holiday_rows_parse(text, year=data["year"])
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data
