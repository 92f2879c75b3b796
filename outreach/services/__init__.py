"""Every write of outreach with business rules, whichever door it comes through (pages, API,
Celery tasks, commands, higher apps). One function per use case, keyword arguments, one
transaction each. Split by topic; import from here."""

from outreach.services.contact_log import contact_attempt_record
from outreach.services.plan import (
    PlanResult,
    enterprise_reached,
    plan_run,
    policy_for,
)
from outreach.services.tasks import (
    FollowUp,
    assignee_for,
    eligible_assignees,
    follow_up_task_create,
    task_close,
    task_open,
    task_reassign,
    tasks_close_bulk,
    tasks_close_where,
    tasks_reassign_bulk,
)
from outreach.services.visits import Location, visit_location_parse, visit_record

__all__ = [
    "FollowUp",
    "Location",
    "PlanResult",
    "assignee_for",
    "contact_attempt_record",
    "eligible_assignees",
    "enterprise_reached",
    "follow_up_task_create",
    "plan_run",
    "policy_for",
    "task_close",
    "task_open",
    "task_reassign",
    "tasks_close_bulk",
    "tasks_close_where",
    "tasks_reassign_bulk",
    "visit_location_parse",
    "visit_record",
]
