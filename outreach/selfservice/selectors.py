"""Reads of self-service: for the staff pages, and an agent's enterprises for their visit."""

from outreach.selfservice.models import SelfServiceLink
from registry.models import Enterprise, Liaison

# The enterprise page lists the newest links; older ones stay in the database and the admin.
SHOWN_LINKS = 10


def enterprise_links(*, enterprise: Enterprise) -> list[SelfServiceLink]:
    """The enterprise's newest personal links, newest first, whatever their state."""
    return list(
        SelfServiceLink.objects.filter(enterprise=enterprise).select_related(
            "liaison", "created_by", "campaign"
        )[:SHOWN_LINKS]
    )


def agent_enterprises(visit: SelfServiceLink) -> list[Enterprise]:
    """Every enterprise whose current liaison has the mobile of the visit's liaison (the
    visit's own among them), by name."""
    mobile = Liaison.objects.filter(pk=visit.liaison_id).values_list("mobile", flat=True).first()
    if not mobile:
        return []
    return list(
        Enterprise.objects.filter(liaisons__ended_on__isnull=True, liaisons__mobile=mobile)
        .order_by("name", "pk")
        .distinct()
    )


def reported_successors(enterprise_ids) -> dict[int, str]:
    """The successor's name each of these enterprises' current liaison reported and staff
    have not confirmed yet (``handover.reported_handover`` for a page of tasks): one query."""
    successors: dict[int, str] = {}
    links = (
        SelfServiceLink.objects.filter(
            enterprise__in=list(enterprise_ids),
            liaison__ended_on__isnull=True,
            handover_confirmed_at__isnull=True,
        )
        .exclude(successor_name="")
        .order_by("enterprise_id", "-used_at")
        .values_list("enterprise_id", "successor_name")
    )
    for enterprise_id, name in links:
        successors.setdefault(enterprise_id, name)
    return successors
