"""Reads of replies and opt-outs, narrowed to what the user may see: a grid worker sees the
replies of their own grids' enterprises; replies nobody could be matched to, staff only."""

from django.db.models import QuerySet

from outreach.messaging.inbound.models import InboundSms, SmsOptOutRemoval
from outreach.messaging.models import SmsOptOut
from registry.access import SEE_EVERYTHING
from registry.roles import Role, user_role

# The timeline is read whole; an enterprise that replies weekly for years stays bounded.
TIMELINE_REPLIES = 200


def reply_list(*, user) -> QuerySet[InboundSms]:
    role = user_role(user)
    replies = InboundSms.objects.select_related("enterprise", "liaison")
    if role in SEE_EVERYTHING:
        return replies
    if role == Role.GRID_WORKER:
        return replies.filter(enterprise__grid__workers=user)
    return replies.none()


def enterprise_replies(*, enterprise) -> QuerySet[InboundSms]:
    return InboundSms.objects.filter(enterprise=enterprise).select_related("liaison")[
        :TIMELINE_REPLIES
    ]


def optout_list() -> QuerySet[SmsOptOut]:
    return SmsOptOut.objects.order_by("-created_at", "-pk")


def optout_removals(limit: int = 50) -> QuerySet[SmsOptOutRemoval]:
    return SmsOptOutRemoval.objects.select_related("removed_by")[:limit]
