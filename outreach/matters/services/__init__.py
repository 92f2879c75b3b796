"""Every write of the first-contact desk, whichever door it comes through (pages, the
liaison's link, the API, the beat task). One module per concern; import from here."""

from outreach.matters.services.answer import matter_answer
from outreach.matters.services.attachments import matter_attachments_add
from outreach.matters.services.common import MatterConflict
from outreach.matters.services.feedback import (
    FeedbackLinkInvalid,
    matter_close,
    matter_feedback_resolve,
    matter_feedback_resolve_hash,
    matter_rate,
)
from outreach.matters.services.follow_up import FOLLOW_UP, follow_up_task_create
from outreach.matters.services.intake import DISPOSITIONS, matter_from_liaison, matter_intake
from outreach.matters.services.reminders import matters_remind
from outreach.matters.services.routing import (
    eligible_owners,
    matter_chase,
    matter_link_enterprise,
    matter_reroute,
    matter_return,
    matter_route,
    matter_take,
    may_take,
)
from outreach.matters.services.standard_answers import (
    standard_answer_create,
    standard_answer_update,
)

__all__ = [
    "DISPOSITIONS",
    "FOLLOW_UP",
    "FeedbackLinkInvalid",
    "MatterConflict",
    "eligible_owners",
    "follow_up_task_create",
    "matter_answer",
    "matter_attachments_add",
    "matter_chase",
    "matter_close",
    "matter_feedback_resolve",
    "matter_feedback_resolve_hash",
    "matter_from_liaison",
    "matter_intake",
    "matter_link_enterprise",
    "matter_rate",
    "matter_reroute",
    "matter_return",
    "matter_route",
    "matter_take",
    "matters_remind",
    "may_take",
    "standard_answer_create",
    "standard_answer_update",
]
