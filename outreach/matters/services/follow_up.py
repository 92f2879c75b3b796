"""Manual follow-up tasks from a matter or the enterprise page (issue 18; 003/004: every open
point has an owner and a deadline): outreach's follow-up task (outreach.services.
follow_up_task_create: what was agreed, its owner, its due date; closed by hand). From a
matter the task's note starts with the matter's number and the matter gets a step saying so.

An enterprise may have several follow-ups open at once: each point agreed is its own task.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.models import Matter
from outreach.matters.services.common import Action, step
from outreach.models import Task
from outreach.services import FollowUp
from outreach.services import follow_up_task_create as outreach_follow_up_create
from registry import clock
from registry.models import Enterprise

FOLLOW_UP = Task.Kind.FOLLOW_UP


def follow_up_task_create(
    *,
    enterprise: Enterprise | None,
    by,
    assignee,
    due_on: datetime.date | None,
    note: str,
    matter: Matter | None = None,
    now: datetime.datetime | None = None,
) -> Task:
    """A follow-up task of ``enterprise`` (``assignee`` None: the service staff's pool).
    ServiceError naming the field (enterprise, note, due_on, assignee); nothing written."""
    now = now or clock.now()
    if enterprise is None:
        raise ServiceError(
            _("Link the matter to its enterprise first: a task belongs to an enterprise."),
            field="enterprise",
        )
    note = (note or "").replace("\x00", "").strip()
    if matter is not None and note:
        note = f"{matter.number}：{note}"
    with transaction.atomic():
        task = outreach_follow_up_create(
            enterprise=enterprise,
            follow_up=FollowUp(note=note, due_on=due_on, assignee=assignee),
            by=by,
            now=now,
        )
        if matter is not None:
            step(
                matter,
                action=Action.NOTE,
                at=now,
                by=by,
                from_state=matter.state,
                to_user=assignee,
                note=_("Follow-up task due on %(day)s: %(note)s")
                % {"day": task.due_on.isoformat(), "note": task.note},
            )
    return task
