from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.messaging.wecom.models import WeComPost
from registry.ids import IdMultipleChoiceField
from registry.models import GridArea


class RobotForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)
    grid = forms.ModelChoiceField(
        label=_("Grid area"),
        queryset=GridArea.objects.order_by("code"),
        required=False,
        empty_label=_("Whole park (no grid)"),
    )
    # Never filled in from the stored key: the page shows it masked beside the field.
    key = forms.CharField(
        label=_("Webhook key"),
        max_length=300,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "The key of the robot's webhook address (…/cgi-bin/webhook/send?key=…); you may "
            "paste the whole address. Leave blank to keep the current key."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PostForm(forms.Form):
    robots = IdMultipleChoiceField(
        label=_("Groups"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one group.")},
    )
    msgtype = forms.ChoiceField(
        label=_("Post as"),
        choices=WeComPost.MsgType.choices,
        initial=WeComPost.MsgType.TEXT,
        widget=forms.RadioSelect,
    )
    content = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Text: at most 2,048 bytes (about 680 Chinese characters); markdown notice: at "
            "most 4,096 bytes."
        ),
    )
    mention_all = forms.BooleanField(label=_("@ everyone (text only)"), required=False)
    image = forms.FileField(
        label=_("Image"),
        required=False,
        # A hint for the file picker only: the service checks the bytes themselves.
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("JPG or PNG, at most 2 MB (e.g. a one-page explainer, 一图看懂)."),
    )

    def __init__(self, *args, robots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["robots"].queryset = robots
