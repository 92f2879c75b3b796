"""The kinds of task (待办), open to higher apps.

``Task.kind`` is a plain CharField checked against this registry rather than a field with
fixed choices, so monitoring can add its rule kinds (from its AppConfig.ready) without a
migration of outreach and without outreach importing it. Every kind is registered from an
AppConfig.ready, never as a side effect of importing a module: outreach's own here
(``register_own_kinds``, the manual follow-up among them), then self-service's (its
``kinds.register``), from OutreachConfig.ready; monitoring's from MonitoringConfig.ready.

Each kind says which contact attempts *answer* it: logging such an attempt closes the open
task of that kind (outreach.services.contact_attempt_record).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from outreach.models import ContactAttempt, Task

# (channel, outcome) -> does this attempt do what the task asked?
Answers = Callable[[str, str], bool]


@dataclass(frozen=True)
class TaskKind:
    value: str
    label: str | Promise
    answers: Answers


_KINDS: dict[str, TaskKind] = {}


def register_task_kind(value: str, label: str | Promise, *, answers: Answers) -> None:
    if len(value) > 40:
        raise ValueError(f"a task kind is at most 40 characters: {value!r}")
    _KINDS[value] = TaskKind(value=value, label=label, answers=answers)


def task_kind(value: str) -> TaskKind | None:
    return _KINDS.get(value)


def task_kinds() -> list[TaskKind]:
    return list(_KINDS.values())


def task_kind_choices() -> list[tuple[str, str | Promise]]:
    return [(kind.value, kind.label) for kind in _KINDS.values()]


def task_kind_label(value: str) -> str:
    kind = _KINDS.get(value)
    return str(kind.label) if kind else value


def _any_success(channel: str, outcome: str) -> bool:
    return ContactAttempt.Outcome.is_success(outcome)


def register_own_kinds() -> None:
    """Outreach's own kinds (Task.Kind), and which attempts answer them. A routine contact is
    done when the liaison was reached (a failure leaves it open to try again; the monitor
    escalates failures); a re-check call is done by a call, whatever it found; an on-site
    check by a visit."""
    register_task_kind(Task.Kind.ROUTINE, Task.Kind.ROUTINE.label, answers=_any_success)
    register_task_kind(
        Task.Kind.RECHECK_CALL,
        Task.Kind.RECHECK_CALL.label,
        answers=lambda channel, outcome: channel == ContactAttempt.Channel.PHONE,
    )
    register_task_kind(
        Task.Kind.ONSITE_VERIFICATION,
        Task.Kind.ONSITE_VERIFICATION.label,
        answers=lambda channel, outcome: channel == ContactAttempt.Channel.VISIT,
    )
    register_task_kind(Task.Kind.HANDOVER, Task.Kind.HANDOVER.label, answers=_any_success)
    register_task_kind(Task.Kind.INFO_CHECK, Task.Kind.INFO_CHECK.label, answers=_any_success)
    # What was agreed is done when a person says so: no attempt answers a follow-up.
    register_task_kind(
        Task.Kind.FOLLOW_UP, Task.Kind.FOLLOW_UP.label, answers=lambda channel, outcome: False
    )
