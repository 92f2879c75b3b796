"""Forms of the monitoring pages: parse and render only; monitoring.services holds the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import EmergencyProcedure, Evidence
from monitoring.services.procedure import MAX_FILE_BYTES, STEP_KINDS, TEXT_MAX, contact_label
from registry import clock
from registry.models import BuildingContact


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Evidence"), choices=())
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    who = forms.CharField(label=_("Who (name, role)"), required=False, max_length=100)
    tracking_number = forms.CharField(label=_("EMS tracking number"), required=False, max_length=40)
    summary = forms.CharField(
        label=_("What they said / what happened"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG, at most %(mb)d MB)")
        % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    building_contact = forms.ModelChoiceField(
        label=_("Whom you asked (the building's contacts)"),
        queryset=BuildingContact.objects.none(),
        required=False,
    )

    def __init__(self, *args, step: int, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = STEP_KINDS.get(step, set())
        self.fields["kind"].choices = [c for c in Evidence.Kind.choices if c[0] in allowed]
        self.fields["occurred_on"].initial = clock.today()
        # Step 2 offers the contacts of the enterprise's building, by name and role (never
        # the phone: the procedure's panel shows it masked, with its logged "show").
        if contacts is None or step != EmergencyProcedure.Step.INQUIRY:
            del self.fields["building_contact"]
        else:
            self.fields["building_contact"].queryset = contacts
            self.fields["building_contact"].label_from_instance = contact_label


class ProposalForm(forms.Form):
    proposal = forms.CharField(
        label=_("Proposal for listing in the abnormal-operations directory"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
