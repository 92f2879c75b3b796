"""What the first-contact desk adds to the registry's enterprise page: its matters' steps on
the timeline, and a panel with the enterprise's matters and the "新诉求" button."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from outreach.matters.models import MatterStep
from outreach.matters.selectors import can_work_matters, enterprise_matters
from registry.masking import mask_free_text
from registry.timeline import Change, TimelineItem

TIMELINE_STEPS = 200


def matters_on_timeline(enterprise, user) -> list[TimelineItem]:
    steps = (
        MatterStep.objects.filter(matter__enterprise=enterprise)
        .select_related("matter", "by", "to_user", "to_department")
        .order_by("-at", "-id")[:TIMELINE_STEPS]
    )
    items = []
    for row in steps:
        changes = []
        if row.to_state and row.to_state != row.from_state:
            changes.append(
                Change(label=_("state"), old="", new=row.matter.State(row.to_state).label)
            )
        if row.to_department_id or row.to_user_id:
            target = " · ".join(
                str(part)
                for part in (row.to_department, row.to_user and row.to_user.get_username())
                if part
            )
            changes.append(Change(label=_("handed to"), old="", new=target))
        if row.note:
            changes.append(Change(label=_("note"), old="", new=mask_free_text(row.note)))
        items.append(
            TimelineItem(
                at=row.at,
                kind=f"matters.{row.action}",
                title=_("Matter %(number)s: %(action)s")
                % {"number": row.matter.number, "action": row.get_action_display()},
                who=row.by.get_username() if row.by else _("system"),
                door=_("First-contact desk"),
                changes=changes,
            )
        )
    return items


def matters_panel(request, enterprise) -> str:
    return render_to_string(
        "outreach/matters/_enterprise_panel.html",
        {
            "enterprise": enterprise,
            "matters": enterprise_matters(enterprise=enterprise),
            "can_work": can_work_matters(request.user),
        },
        request=request,
    )
