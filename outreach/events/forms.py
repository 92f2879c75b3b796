from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.events.models import Event


def _when(label, *, required=True):
    # Entered in the park's time (the current time zone is Asia/Shanghai).
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("The place, the online link, or both."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Empty: no limit."),
    )
    speaker = forms.CharField(label=_("Speaker"), max_length=100, required=False)
    materials_note = forms.CharField(
        label=_("Materials"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
