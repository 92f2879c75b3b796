"""What outreach adds to the registry's enterprise page, registered from OutreachConfig.ready:
the contact attempts on its timeline, and a panel with the plan, the open tasks and the
"log a contact" button."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from outreach.messaging.models import Channel
from outreach.selectors import (
    can_see_visit_evidence,
    can_work_tasks,
    enterprise_attempts,
    enterprise_outreach,
)
from outreach.selfservice.selectors import enterprise_links
from outreach.selfservice.services import reported_handover
from registry.masking import masked, may_unmask
from registry.models import Enterprise
from registry.timeline import Change, Link, TimelineItem

# The timeline is read whole; an enterprise contacted weekly for years stays bounded.
TIMELINE_ATTEMPTS = 200


def attempts_on_timeline(enterprise, user) -> list[TimelineItem]:
    items = []
    evidence_shown = can_see_visit_evidence(user)
    for attempt in enterprise_attempts(enterprise=enterprise)[:TIMELINE_ATTEMPTS]:
        changes = [Change(label=_("outcome"), old="", new=attempt.get_outcome_display())]
        if attempt.liaison is not None:
            changes.append(Change(label=_("liaison"), old="", new=attempt.liaison.name))
        if attempt.verified:
            changes.append(Change(label=_("details verified"), old="", new=_("yes")))
        if attempt.note:
            changes.append(Change(label=_("note"), old="", new=attempt.note))
        links = _visit_evidence(attempt, shown=evidence_shown)
        if links is None:
            # Recorded, but not for this reader: say so without what it is.
            changes.append(Change(label=_("visit evidence"), old="", new=_("recorded")))
            links = []
        items.append(
            TimelineItem(
                at=attempt.occurred_at,
                kind="outreach.attempt-succeeded" if attempt.succeeded else "outreach.attempt",
                title=_("Contact attempt: %(channel)s")
                % {"channel": attempt.get_channel_display()},
                who=attempt.by.get_username() if attempt.by else _("system"),
                door=str(attempt.get_channel_display()),
                changes=changes,
                links=links,
            )
        )
    return items


def _visit_evidence(attempt, *, shown: bool) -> list[Link] | None:
    """A visit's photo and place (走访打卡) as links; None when there is evidence the reader
    may not see (VisitEvidence: for those who may see full phones)."""
    evidence = getattr(attempt, "evidence", None)
    if evidence is None or not (evidence.photo or evidence.has_location):
        return []
    if not shown:
        return None
    links = []
    if evidence.photo:
        links.append(
            Link(
                label=_("Photo of the door plate or signboard"),
                url=reverse("outreach:visit_photo", args=[attempt.pk]),
                image=True,
            )
        )
    if evidence.has_location:
        place = f"{evidence.latitude},{evidence.longitude}"
        label = _("Location at the visit: %(place)s") % {"place": place}
        if evidence.accuracy_m is not None:
            label += _(" (±%(metres)s m)") % {"metres": evidence.accuracy_m}
        links.append(Link(label=label, url=f"geo:{place}"))
    return links


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
