"""The report form (staff and grid workers, often on a phone): parse and render only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.signals.models import SignalKind
from monitoring.signals.services import PHOTO_MAX_BYTES, TEXT_MAX
from registry import clock
from registry.fields import tel_input


class SignalForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("What was seen"),
        queryset=SignalKind.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    observed_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    source_organisation = forms.CharField(
        label=_("Organisation (property company, landlord, courier …)"),
        required=False,
        max_length=100,
    )
    source_name = forms.CharField(label=_("Reported by"), required=False, max_length=50)
    source_phone = forms.CharField(
        label=_("Reporter's phone"),
        required=False,
        max_length=30,
        widget=tel_input(autocomplete="off"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_MAX, widget=forms.Textarea({"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo (JPEG or PNG, at most %(mb)d MB)") % {"mb": PHOTO_MAX_BYTES // 2**20},
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = SignalKind.objects.filter(active=True)
        self.fields["observed_at"].initial = clock.now().replace(second=0, microsecond=0)
