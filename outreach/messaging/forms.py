from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from outreach.messaging.models import Campaign, MessageTemplate
from outreach.messaging.provider_templates import params_parse
from registry.ids import IdChoiceField, IdMultipleChoiceField


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=100)
    # An event's invitation is prepared from the event's invitations page (its invitees).
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (value, label)
            for value, label in Campaign.Kind.choices
            if value != Campaign.Kind.EVENT_INVITATION
        ],
    )
    template = IdChoiceField(
        label=_("Message template"), queryset=MessageTemplate.objects.order_by("key")
    )
    include_deregistered = forms.BooleanField(
        label=_("Include deregistered enterprises"), required=False
    )
    # Material from the library (outreach/materials): their links fill {{ materials }}.
    materials = IdMultipleChoiceField(
        label=_("Attach materials"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their links are put into the text where the template has {{ materials }}, else "
            "at its end."
        ),
    )

    def __init__(self, *args, **kwargs):
        from outreach.materials.selectors import sendable_materials

        super().__init__(*args, **kwargs)
        self.fields["materials"].queryset = sendable_materials()


class CampaignConfirmForm(forms.Form):
    """When a draft goes out: now (no time) or at a time within the sending window."""

    send_at = forms.DateTimeField(
        label=_("Send at (park time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to send now."),
    )
    outside_window = forms.BooleanField(
        label=_("Urgent: send outside the sending window"), required=False
    )


class CampaignCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    subject = forms.CharField(label=_("Subject (e-mail only)"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    # The SMS provider's approved template (SMS templates only).
    provider_code = forms.CharField(
        label=_("Approved template code (SMS)"),
        max_length=64,
        required=False,
        help_text=_("The provider's code of the approved template, e.g. SMS_123456789 or 1234567."),
    )
    provider_params = forms.CharField(
        label=_("Approved template parameters (SMS)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line, in the approved order: parameter name = placeholder, e.g. "
            "“name = liaison”. Tencent Cloud numbers its parameters: “1 = liaison”."
        ),
    )

    def clean_provider_params(self):
        try:
            return params_parse(self.cleaned_data["provider_params"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
