"""What outreach adds to the registry's enterprise page, registered from OutreachConfig.ready:
the contact attempts on its timeline, and a panel with the plan, the open tasks and the
"log a contact" button."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from outreach.messaging.models import Channel
from outreach.selectors import can_work_tasks, enterprise_attempts, enterprise_outreach
from outreach.selfservice.selectors import enterprise_links
from outreach.selfservice.services import reported_handover
from registry.masking import masked, may_unmask
from registry.models import Enterprise
from registry.timeline import Change, TimelineItem

# The timeline is read whole; an enterprise contacted weekly for years stays bounded.
TIMELINE_ATTEMPTS = 200


def attempts_on_timeline(enterprise, user) -> list[TimelineItem]:
    items = []
    for attempt in enterprise_attempts(enterprise=enterprise)[:TIMELINE_ATTEMPTS]:
        changes = [Change(label=_("outcome"), old="", new=attempt.get_outcome_display())]
        if attempt.liaison is not None:
            changes.append(Change(label=_("liaison"), old="", new=attempt.liaison.name))
        if attempt.verified:
            changes.append(Change(label=_("details verified"), old="", new=_("yes")))
        if attempt.note:
            changes.append(Change(label=_("note"), old="", new=attempt.note))
        items.append(
            TimelineItem(
                at=attempt.occurred_at,
                kind="outreach.attempt-succeeded" if attempt.succeeded else "outreach.attempt",
                title=_("Contact attempt: %(channel)s")
                % {"channel": attempt.get_channel_display()},
                who=attempt.by.get_username() if attempt.by else _("system"),
                door=str(attempt.get_channel_display()),
                changes=changes,
            )
        )
    return items


def outreach_panel(request, enterprise) -> str:
    summary = enterprise_outreach(enterprise=enterprise)
    handover = reported_handover(enterprise)
    return render_to_string(
        "outreach/_enterprise_panel.html",
        {
            "enterprise": enterprise,
            "summary": summary,
            "tier_label": Enterprise.Tier(enterprise.tier).label,
            "can_work": can_work_tasks(request.user),
            "selfservice_links": enterprise_links(enterprise=enterprise),
            "channels": Channel.choices,
            "reported_handover": handover,
            # Masked like every phone on staff pages; a logged "show" for those who may.
            "reported_handover_mobile": masked(
                "selfservicelink", "successor_mobile", handover.successor_mobile
            )
            if handover
            else "",
            "can_show_successor_mobile": may_unmask(
                request.user, "selfservicelink", "successor_mobile"
            ),
        },
        request=request,
    )
