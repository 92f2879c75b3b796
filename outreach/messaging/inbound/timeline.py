"""Replies on the enterprise page's timeline (registered in OutreachConfig.ready through
registry.timeline.register_source: the registry does not know of outreach)."""

from django.utils.translation import gettext as _

from outreach.messaging.inbound.selectors import enterprise_replies
from registry.timeline import Change, TimelineItem


def replies_on_timeline(enterprise, user) -> list[TimelineItem]:
    items = []
    for reply in enterprise_replies(enterprise=enterprise):
        changes = [Change(label=_("reply"), old="", new=reply.text)]
        if reply.opted_out:
            changes.append(
                Change(
                    label=_("opt-out"),
                    old="",
                    new=_("no more greeting or care SMS to this number"),
                )
            )
        items.append(
            TimelineItem(
                at=reply.received_at,
                kind="outreach.sms-reply",
                title=_("SMS reply from the liaison"),
                who=reply.liaison.name if reply.liaison else _("unknown sender"),
                door=_("SMS reply"),
                changes=changes,
            )
        )
    return items
