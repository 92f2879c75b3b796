from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.materials.models import Material, MaterialTopic
from registry.ids import IdChoiceField, IdMultipleChoiceField


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    topic = IdChoiceField(label=_("Topic"), queryset=MaterialTopic.objects.all())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Material.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        # A hint for the file picker only: the service checks the bytes themselves.
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,application/pdf"}),
        help_text=_("An image (JPG or PNG) or a PDF."),
    )
    url = forms.URLField(
        label=_("Video address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For a video: its address (e.g. on the park's video channel)."),
    )
    description = forms.CharField(
        label=_("What it is about"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # A material keeps its kind (its link's page is made for it).
            del self.fields["kind"]


class MaterialChoiceForm(forms.Form):
    """Materials to send after an event."""

    materials = IdMultipleChoiceField(
        label=_("Material to send"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one material.")},
    )
    audience = forms.ChoiceField(
        label=_("Send to"),
        choices=[
            ("answered", _("Invitees who said they attend or send a colleague")),
            ("all", _("Every invitee")),
        ],
        initial="answered",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].queryset = materials


class MaterialPostForm(forms.Form):
    """A material to WeCom groups."""

    robots = IdMultipleChoiceField(
        label=_("Groups"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one group.")},
    )
    as_image = forms.BooleanField(
        label=_("Post the image itself before its link (images up to 2 MB)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, robots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["robots"].queryset = robots
