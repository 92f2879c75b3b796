"""The kinds of task (待办), open to higher apps.

``Task.kind`` is a plain CharField checked against this registry rather than a field with
fixed choices, so monitoring can add its rule kinds (from its AppConfig.ready) without a
migration of outreach and without outreach importing it.

Each kind says which contact attempts *answer* it: logging such an attempt closes the open
task of that kind (outreach.services.contact_attempt_record).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

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
