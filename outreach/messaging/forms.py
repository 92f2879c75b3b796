from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.messaging.models import Campaign, MessageTemplate
from registry.ids import IdChoiceField


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    template = IdChoiceField(
        label=_("Message template"), queryset=MessageTemplate.objects.order_by("key")
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    subject = forms.CharField(label=_("Subject (e-mail only)"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
