"""Forms of the outreach pages: parse and render only; outreach.services holds the rules."""

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from outreach.kinds import task_kind_choices
from outreach.models import ContactAttempt
from outreach.services.tasks import NOTE_MAX, FollowUp
from outreach.services.visits import Location, visit_location_parse
from registry import clock
from registry.ids import IdChoiceField

# Self-service attempts are written by the liaison's own form and reports from outside by
# monitoring.signals, not logged by staff.
LOGGED_CHANNELS = [
    choice
    for choice in ContactAttempt.Channel.choices
    if choice[0] not in ("self_service", "report")
]
LOGGED_OUTCOMES = [
    choice
    for choice in ContactAttempt.Outcome.choices
    if choice[0] not in ContactAttempt.Outcome.system_only()
]


VISIT_FIELDS = ("photo", "share_location")


class ContactAttemptForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=LOGGED_CHANNELS, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=LOGGED_OUTCOMES, widget=forms.RadioSelect
    )
    liaison = IdChoiceField(
        label=_("Liaison"), queryset=None, required=False, empty_label=_("(nobody in particular)")
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    verified = forms.BooleanField(
        label=_("I checked the liaison's details and they are right"), required=False
    )
    # 走访打卡: an on-site visit's evidence (outreach.services.visits). The photo: image/*
    # with capture lets a phone open its camera; the service checks the content. The
    # location only with the consent ticked: the browser is asked for it only then
    # (static/js/field.js), and the coordinates it gives come in the hidden fields.
    photo = forms.FileField(
        label=_("Photo of the door plate or signboard"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    share_location = forms.BooleanField(
        label=_("Record where I am now as evidence of the visit (asks the phone's location)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-geolocation": ""}),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    accuracy = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    # A point agreed in the contact or the visit: a follow-up task (all three, or none).
    follow_up_note = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_assignee = IdChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Service staff pool")
    )
    follow_up_due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args,
        enterprise,
        assignees,
        user=None,
        channel: str = "",
        outcome: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        owner = self.fields["follow_up_assignee"]
        owner.queryset = assignees
        owner.label_from_instance = lambda person: person.get_full_name() or person.username
        # Whoever logs the contact usually does what they agreed.
        if user is not None and assignees.filter(pk=user.pk).exists():
            self.initial.setdefault("follow_up_assignee", user.pk)
        liaisons = enterprise.liaisons.order_by(
            F("ended_on").desc(nulls_first=True), "-started_on", "-id"
        )
        field = self.fields["liaison"]
        field.queryset = liaisons
        field.label_from_instance = _liaison_label
        current = next((liaison for liaison in liaisons if liaison.is_current), None)
        self.initial.setdefault("liaison", current.pk if current else None)
        self.initial.setdefault("channel", channel or ContactAttempt.Channel.PHONE)
        if outcome:
            self.initial.setdefault("outcome", outcome)
        self.initial.setdefault("occurred_at", clock.local().replace(second=0, microsecond=0))

    def attempt_fields(self):
        return [
            f
            for f in self.visible_fields()
            if not f.name.startswith("follow_up_") and f.name not in VISIT_FIELDS
        ]

    def visit_fields(self):
        return [f for f in self.visible_fields() if f.name in VISIT_FIELDS]

    def location(self) -> Location | None:
        """The location to keep: only with the worker's consent ticked (coordinates without
        it are dropped). ServiceError (``share_location``) for values that are no place."""
        data = self.cleaned_data
        if not data.get("share_location"):
            return None
        return visit_location_parse(
            data.get("latitude"), data.get("longitude"), data.get("accuracy")
        )

    def clean(self):
        data = super().clean()
        visit = data.get("channel") == ContactAttempt.Channel.VISIT
        if not visit and data.get("photo"):
            self.add_error("photo", _("A photo is evidence of an on-site visit only."))
        if not visit and data.get("share_location"):
            self.add_error("share_location", _("A location is evidence of an on-site visit only."))
        return data

    def follow_up_fields(self):
        return [f for f in self.visible_fields() if f.name.startswith("follow_up_")]

    def follow_up(self) -> FollowUp | None:
        """The follow-up to create (None: nothing was agreed). A due date without what was
        agreed is still a follow-up: the service then says what is missing."""
        data = self.cleaned_data
        if not (data.get("follow_up_note") or "").strip() and not data.get("follow_up_due_on"):
            return None
        return FollowUp(
            note=data.get("follow_up_note") or "",
            due_on=data.get("follow_up_due_on"),
            assignee=data.get("follow_up_assignee"),
        )


def _liaison_label(liaison) -> str:
    state = _("current") if liaison.is_current else _("past")
    return f"{liaison.name} · {liaison.masked_mobile} ({state})"


class TaskCloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it done?"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskReassignForm(forms.Form):
    assignee = IdChoiceField(
        label=_("Assign to"),
        queryset=None,
        required=False,
        empty_label=_("Service staff pool"),
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )


def kind_choices() -> list:
    return [("", _("All kinds")), *task_kind_choices()]
