"""The liaison's forms. They only shape the input: the registry's fields validate it (in the
services), exactly as on staff pages and in the import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.fields import tel_input


class NoticeForm(forms.Form):
    accept_notice = forms.CharField(
        label=_("I have read how my details are used and agree."),
        error_messages={"required": _("Please read and accept how your details are used.")},
    )


class CorrectForm(NoticeForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    position = forms.CharField(label=_("Position"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        widget=tel_input(autocomplete="tel"),
        help_text=_(
            "A new number is confirmed with a code sent to it; until then the number on "
            "file stays in use."
        ),
    )
    # The code sent to a new mobile; shown once one was sent (views.form_page).
    mobile_code = forms.CharField(
        label=_("Code sent to your new mobile"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
    landline = forms.CharField(
        label=_("Landline"), max_length=30, required=False, widget=tel_input()
    )
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=50, required=False)
    id_number_consent = forms.BooleanField(
        label=_("I agree that the park keeps my ID number (optional)."), required=False
    )
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    emergency_name = forms.CharField(label=_("Emergency contact"), max_length=50, required=False)
    emergency_relation = forms.CharField(label=_("Relation"), max_length=50, required=False)
    emergency_phone = forms.CharField(
        label=_("Emergency phone"), max_length=30, required=False, widget=tel_input()
    )

    def clean(self):
        data = super().clean()
        if data.get("id_number") and not data.get("id_number_consent"):
            self.add_error(
                "id_number_consent", _("To give your ID number, please agree to it being kept.")
            )
        return data


class LeavingForm(NoticeForm):
    last_day = forms.DateField(
        label=_("My last day as liaison"), widget=forms.DateInput(attrs={"type": "date"})
    )
    successor_name = forms.CharField(label=_("Successor's name"), max_length=50)
    successor_mobile = forms.CharField(
        label=_("Successor's mobile"), max_length=30, widget=tel_input()
    )
