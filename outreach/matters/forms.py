"""Forms of the first-contact desk: parse and render only; outreach.matters.services holds
the rules. The enterprise is found by its credit code, its exact name or a phone on file."""

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.matters.models import Department, Matter, MatterCategory, StandardAnswer
from outreach.matters.services import eligible_owners
from outreach.matters.services.common import TEXT_MAX
from registry.access import visible_enterprises
from registry.fields import tel_input
from registry.ids import IdChoiceField
from registry.normalize import clean_text, normalize_mobile, normalize_phone, normalize_uscc

DISPOSITION_CHOICES = [
    ("received", _("Take in only (route later)")),
    ("answered", _("Answered on the spot")),
    ("routed", _("Route to a department or person")),
    ("escalated", _("Escalate to a lead")),
]
# Staff log these doors; the liaison's own link and the API are their own doors.
STAFF_CHANNELS = [
    choice for choice in Matter.Channel.choices if choice[0] not in ("self_service", "api")
]


def _user_label(user) -> str:
    return user.get_full_name() or user.username


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): a list of uploads. The
    service checks each one's size and content (outreach.matters.services.attachments)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most %(mb)d MB each, %(most)d per matter.")
        % {
            "mb": settings.MATTER_ATTACHMENT_MAX_MB,
            "most": settings.MATTER_ATTACHMENT_MAX_FILES,
        },
    )


def find_enterprise(user, text: str):
    """The one enterprise the user can see with this credit code, exact name, or a phone of
    the enterprise or its current liaison; a ValidationError naming why not."""
    text = clean_text(text)
    if not text:
        return None
    scope = visible_enterprises(user)
    query = Q(name=text)
    for normalise, lookups in (
        (normalize_uscc, ("uscc",)),
        (normalize_phone, ("registered_phone", "annual_report_phone")),
        (normalize_mobile, ("liaisons__mobile",)),
    ):
        try:
            value = normalise(text)
        except ValidationError:
            continue
        for lookup in lookups:
            query |= Q(**{lookup: value})
    found = list(scope.filter(query).distinct()[:2])
    if not found:
        raise forms.ValidationError(
            _("No enterprise you can see has this credit code, name or phone.")
        )
    if len(found) > 1:
        raise forms.ValidationError(_("Several enterprises match: enter the credit code."))
    return found[0]


class MatterIntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    enterprise = forms.CharField(
        label=_("Enterprise"),
        required=False,
        max_length=100,
        help_text=_("Credit code, exact name or phone. Leave empty if not known yet."),
    )
    requester_is_liaison = forms.BooleanField(
        label=_("The requester is the enterprise's liaison"), required=False, initial=True
    )
    requester_name = forms.CharField(label=_("Requester's name"), required=False, max_length=50)
    requester_phone = forms.CharField(
        label=_("Requester's phone"), required=False, max_length=30, widget=tel_input()
    )
    requester_email = forms.CharField(
        label=_("Requester's e-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("Optional. The answer then goes to this address by e-mail instead of SMS."),
    )
    category = IdChoiceField(label=_("Category"), queryset=MatterCategory.objects.none())
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Matter.Urgency.choices, initial=Matter.Urgency.NORMAL
    )
    description = forms.CharField(
        label=_("What is it about?"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    disposition = forms.ChoiceField(
        label=_("Then"),
        choices=DISPOSITION_CHOICES,
        initial="received",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer (answered on the spot)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    department = IdChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    owner = IdChoiceField(
        label=_("Person"), queryset=get_user_model().objects.none(), required=False
    )
    # The page's one-use key: a double submit or a resent form takes the matter in once
    # (outreach.matters.services.intake.matter_intake).
    intake_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["intake_key"].initial = uuid.uuid4().hex
        self.fields["attachments"] = attachments_field()
        self.fields["category"].queryset = MatterCategory.objects.filter(
            active=True
        ).select_related("parent")
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["owner"].queryset = eligible_owners()
        self.fields["owner"].label_from_instance = _user_label

    def clean_enterprise(self):
        return find_enterprise(self.user, self.cleaned_data["enterprise"])


class RouteForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    department = IdChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    owner = IdChoiceField(
        label=_("Person"), queryset=get_user_model().objects.none(), required=False
    )
    escalate = forms.BooleanField(label=_("Escalate to the lead"), required=False)
    reason = forms.CharField(label=_("Reason / note"), required=False, max_length=TEXT_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["owner"].queryset = eligible_owners()
        self.fields["owner"].label_from_instance = _user_label


class ReasonForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=TEXT_MAX)


class AnswerForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    resolved = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("yes", _("Resolved")), ("no", _("Not resolved yet"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=2000)
    next_step_on = forms.DateField(
        label=_("Next step by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class LinkEnterpriseForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    enterprise = forms.CharField(label=_("Enterprise"), max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_enterprise(self):
        enterprise = find_enterprise(self.user, self.cleaned_data["enterprise"])
        if enterprise is None:
            raise forms.ValidationError(_("This field is required."))
        return enterprise


class AskForm(forms.Form):
    """The liaison's "我有问题 / 需要帮助" on their personal link's page, on a phone: the
    file input offers the camera and the photo library besides PDFs."""

    description = forms.CharField(
        label=_("Your question or what you need"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    requester_email = forms.CharField(
        label=_("E-mail for the answer (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=_("Leave empty to get the answer by SMS."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = attachments_field()
        # image/* lets a phone offer its camera and photos; the service still checks the
        # content (a HEIC or GIF is refused with the field named).
        field.widget.attrs["accept"] = "image/*,.pdf,application/pdf"
        field.label = _("Photos or PDF files (optional)")
        self.fields["attachments"] = field


class FollowUpTaskForm(forms.Form):
    assignee = IdChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Service staff pool"),
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("What was agreed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = _user_label


class AttachmentsForm(forms.Form):
    """Files added to a matter later (papers often come after the first call)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()
        self.fields["attachments"].required = True


class StandardAnswerForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    category = IdChoiceField(
        label=_("Category"),
        queryset=MatterCategory.objects.none(),
        required=False,
        empty_label=_("Any category"),
    )
    text = forms.CharField(
        label=_("Answer text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    active = forms.BooleanField(
        label=_("In use (offered when answering)"), required=False, initial=True
    )

    def __init__(self, *args, answer: StandardAnswer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        in_use = Q(active=True)
        if answer is not None and answer.category_id is not None:
            in_use |= Q(pk=answer.category_id)  # a category retired since stays choosable
        self.fields["category"].queryset = MatterCategory.objects.filter(in_use).select_related(
            "parent"
        )
        if answer is None:
            del self.fields["active"]  # a new answer is in use
