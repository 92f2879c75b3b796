"""What the outreach API reads and writes. They parse and present; the services validate and
write (a serializer only refuses what cannot be handed to a service)."""

from rest_framework import serializers

from outreach.forms import LOGGED_CHANNELS, LOGGED_OUTCOMES
from outreach.kinds import task_kind_label
from outreach.models import ContactAttempt, Task
from outreach.services.tasks import NOTE_MAX
from registry.api.fields import AsciiIntegerField, QuerySerializer
from registry.api.serializers import EnterpriseRefSerializer, WriteSerializer
from registry.masking import mask_free_text

MAX_ID = 2**63 - 1


class MaskedTextField(serializers.CharField):
    """Free text as every list shows it: phone and ID numbers in it masked."""

    def to_representation(self, value) -> str:
        return mask_free_text(super().to_representation(value))


class LiaisonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ContactAttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    enterprise = EnterpriseRefSerializer(read_only=True)
    liaison = LiaisonRefSerializer(read_only=True, allow_null=True)
    channel = serializers.ChoiceField(ContactAttempt.Channel.choices, read_only=True)
    outcome = serializers.ChoiceField(ContactAttempt.Outcome.choices, read_only=True)
    succeeded = serializers.BooleanField(read_only=True, help_text="Only reached is a success.")
    occurred_at = serializers.DateTimeField(read_only=True)
    note = MaskedTextField(read_only=True)
    verified = serializers.BooleanField(read_only=True)
    by = serializers.SerializerMethodField(help_text="Username; null for the system.")
    created_at = serializers.DateTimeField(read_only=True)

    def get_by(self, attempt) -> str | None:
        return attempt.by.get_username() if attempt.by else None


class ContactAttemptCreateSerializer(WriteSerializer):
    enterprise = serializers.CharField(
        max_length=32, help_text="统一社会信用代码 of the enterprise."
    )
    channel = serializers.ChoiceField(LOGGED_CHANNELS)
    outcome = serializers.ChoiceField(LOGGED_OUTCOMES)
    liaison = AsciiIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Which of the enterprise's liaisons (default: the current one).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When (default: now); not in the future."
    )
    verified = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The liaison's details were checked (only with outcome reached).",
    )
    # A point agreed in this contact becomes a follow-up task (Task.Kind.FOLLOW_UP), written
    # with the attempt: what, by when, who (as the contact form's fields).
    follow_up_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX,
        help_text="What was agreed: with follow_up_due_on, opens a follow-up task.",
    )
    follow_up_due_on = serializers.DateField(
        required=False, allow_null=True, help_text="The follow-up's due date (not past)."
    )
    follow_up_assignee = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=150,
        help_text="Username of who does it (default: you); null: the service staff's pool.",
    )


class AttemptFilterSerializer(QuerySerializer):
    enterprise = serializers.CharField(required=False, allow_blank=True, max_length=32)
    channel = serializers.ChoiceField(
        ContactAttempt.Channel.choices, required=False, allow_blank=True
    )
    outcome = serializers.ChoiceField(
        ContactAttempt.Outcome.choices, required=False, allow_blank=True
    )
    since = serializers.DateTimeField(required=False, help_text="From (included).")
    until = serializers.DateTimeField(required=False, help_text="Until (excluded).")


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    enterprise = EnterpriseRefSerializer(read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.SerializerMethodField()
    source = serializers.ChoiceField(Task.Source.choices, read_only=True)
    # Plain text, not an enum: "status" is the enterprise's status enum in the schema.
    status = serializers.CharField(read_only=True, help_text="open or done")
    assignee = serializers.SerializerMethodField(
        help_text="Username; null: the service staff's pool."
    )
    due_on = serializers.DateField(read_only=True)
    overdue = serializers.SerializerMethodField()
    suggested_channel = serializers.CharField(read_only=True)
    note = MaskedTextField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_by = serializers.SerializerMethodField()
    closed_by_attempt = serializers.IntegerField(
        source="closed_by_attempt_id",
        read_only=True,
        allow_null=True,
        help_text="The contact attempt that answered the task, if one did.",
    )
    close_note = MaskedTextField(read_only=True)

    def get_kind_label(self, task) -> str:
        return task_kind_label(task.kind)

    def get_assignee(self, task) -> str | None:
        return task.assignee.get_username() if task.assignee else None

    def get_closed_by(self, task) -> str | None:
        return task.closed_by.get_username() if task.closed_by else None

    def get_overdue(self, task) -> bool:
        return task.is_open and task.due_on < self.context["today"]


class TaskFilterSerializer(QuerySerializer):
    assignee = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text='"me", "pool" (the service staff\'s pool) or a username.',
    )
    kind = serializers.CharField(required=False, allow_blank=True, max_length=40)
    status = serializers.ChoiceField(
        [("open", "open"), ("done", "done"), ("all", "all")],
        required=False,
        default="open",
    )
    due = serializers.ChoiceField(
        [("overdue", "overdue"), ("today", "today"), ("week", "week")],
        required=False,
        allow_blank=True,
        help_text="overdue, today, or week (today to Sunday).",
    )
    enterprise = serializers.CharField(required=False, allow_blank=True, max_length=32)


class TaskPatchSerializer(WriteSerializer):
    assignee = serializers.CharField(
        allow_null=True,
        max_length=150,
        help_text="Username of a grid worker of the enterprise's grid or of service staff; "
        "null: the service staff's pool.",
    )


class TaskCloseSerializer(WriteSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
