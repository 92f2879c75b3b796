"""The kind of task (待办) the first-contact desk opens, registered from OutreachConfig.ready
(outreach.matters.apps.matters_ready)."""

from django.utils.translation import gettext_lazy as _

from outreach.kinds import register_task_kind

# A follow-up staff set themselves on a matter; done by a person, not by a contact attempt.
FOLLOW_UP = "follow_up"


def register() -> None:
    register_task_kind(FOLLOW_UP, _("Follow-up"), answers=lambda channel, outcome: False)
