"""Manual follow-up tasks (issue 18; 003/004: every open point has an owner and a deadline):
any staff member makes one by hand from a matter or the enterprise page, with its owner, due
date and what was agreed. It is an outreach task (outreach.services.task_open) of the kind
``follow_up``, closed by hand (no contact attempt answers it).

Outreach keeps at most one open task per enterprise and kind (its partial unique index), so
an enterprise has one open follow-up at a time: a second is refused with the first named.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.kinds import FOLLOW_UP
from outreach.matters.models import Matter
from outreach.matters.services.common import Action, step, text
from outreach.models import Task
from registry import clock
from registry.models import Enterprise


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
    from outreach.services import task_open

    now = now or clock.now()
    if enterprise is None:
        raise ServiceError(
            _("Link the matter to its enterprise first: a task belongs to an enterprise."),
            field="enterprise",
        )
    note = text(note, field="note", required=True)
    if due_on is None:
        raise ServiceError(_("This field is required."), field="due_on")
    if due_on < clock.today(now):
        raise ServiceError(_("This date has passed."), field="due_on")
    if matter is not None:
        note = f"{matter.number}：{note}"
    with transaction.atomic():
        existing = Task.objects.filter(
            enterprise=enterprise, kind=FOLLOW_UP, status=Task.Status.OPEN
        ).first()
        if existing is not None:
            raise ServiceError(
                _("This enterprise has an open follow-up task due on %(day)s: close it first.")
                % {"day": existing.due_on.isoformat()},
                field="note",
                code="open_follow_up",
            )
        task = task_open(
            enterprise=enterprise,
            kind=FOLLOW_UP,
            source=Task.Source.MANUAL,
            due_on=due_on,
            assignee=assignee,
            note=note,
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
                % {"day": due_on.isoformat(), "note": note},
            )
    return task
