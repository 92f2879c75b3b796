"""The reminders' rules (Celery beat, every 10 minutes), set-based:

- at 80 % of a limit (stored as ``*_remind_at``) the owner is reminded: a REMIND step to
  them, shown on the matter and in their 我的待办;
- past a limit (the first response not given by ``first_response_due``, or the matter still
  open at ``resolution_due``) the matter is flagged overdue and the owner's lead is told (an
  OVERDUE step to the lead; the lead sees it in 我的待办);
- the people named are also sent an e-mail and an SMS (services.reminder_notices).

Each rule claims its rows with one ``UPDATE … RETURNING`` (the reminder time cleared, the
flag set; outreach.sql.matters), so two beat ticks at once remind once. A missed run catches
up (``<= now``).
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from outreach.matters.models import Department, Matter, MatterStep
from outreach.matters.services.reminder_notices import notices_for, reminder_notices_send
from outreach.sql import matters as sql
from registry import clock

OPEN = tuple(state.value for state in Matter.OPEN_STATES)


@dataclass(frozen=True)
class RemindResult:
    reminded: int
    overdue: int


def _leads(rows: list[tuple]) -> dict[int, int | None]:
    """matter id -> its lead's user id (department lead, else a lead of the owner)."""
    departments = dict(Department.objects.filter(lead__isnull=False).values_list("pk", "lead_id"))
    owners = {owner for _pk, owner, *_ in rows if owner}
    owner_lead: dict[int, int] = {}
    for department_id, member_id in (
        Department.members.through.objects.filter(
            user_id__in=owners, department__lead__isnull=False
        )
        .order_by("department_id")
        .values_list("department_id", "user_id")
    ):
        owner_lead.setdefault(member_id, departments[department_id])
    return {
        pk: departments.get(department) or owner_lead.get(owner)
        for pk, owner, department, *_ in rows
    }


def matters_remind(*, now: datetime.datetime | None = None) -> RemindResult:
    now = now or clock.now()
    with transaction.atomic(), connection.cursor() as cursor:
        response = sql.first_response_reminders_claim(cursor, open_states=list(OPEN), now=now)
        resolution = sql.resolution_reminders_claim(cursor, open_states=list(OPEN), now=now)
        overdue = sql.overdue_claim(cursor, open_states=list(OPEN), now=now)
        steps = [
            MatterStep(
                matter_id=pk,
                action=MatterStep.Action.REMIND,
                from_state=state,
                to_state=state,
                at=now,
                to_user_id=owner,
                to_department_id=department,
                note=note,
            )
            for rows, note in (
                (response, _("Four fifths of the first-response time have passed.")),
                (resolution, _("Four fifths of the resolution time have passed.")),
            )
            for pk, owner, department, state in rows
        ]
        leads = _leads(overdue)
        steps += [
            MatterStep(
                matter_id=pk,
                action=MatterStep.Action.OVERDUE,
                from_state=state,
                to_state=state,
                at=now,
                to_user_id=leads[pk],
                to_department_id=department,
                note=_("Past its time limit: the lead is told."),
            )
            for pk, owner, department, state, _limit in overdue
        ]
        MatterStep.objects.bulk_create(steps)
        # The people the steps name are told by e-mail and SMS, once (reminder_notices).
        reminder_notices_send(
            notices=notices_for(
                response=response, resolution=resolution, overdue=overdue, leads=leads
            ),
            now=now,
        )
    return RemindResult(reminded=len(response) + len(resolution), overdue=len(overdue))
