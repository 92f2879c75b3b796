"""The kinds of task (待办) self-service opens, registered from OutreachConfig.ready."""

from django.utils.translation import gettext_lazy as _

from outreach.kinds import register_task_kind

# The worker's note that a liaison changed their own entry; done when the worker has read it.
SELF_SERVICE_UPDATE_KIND = "selfservice_update"
# Staff are told that a link was locked after too many wrong codes: someone may be guessing,
# or the liaison needs help (and a new link). Done when a worker has looked into it.
SELF_SERVICE_LOCKED_KIND = "selfservice_locked"


def _never(channel: str, outcome: str) -> bool:
    # Done by a person who read it, not by a contact attempt.
    return False


def register() -> None:
    register_task_kind(SELF_SERVICE_UPDATE_KIND, _("Liaison updated their details"), answers=_never)
    register_task_kind(
        SELF_SERVICE_LOCKED_KIND, _("Personal link locked after wrong codes"), answers=_never
    )
