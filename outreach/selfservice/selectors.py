"""Reads of self-service for the staff pages."""

from outreach.selfservice.models import SelfServiceLink
from registry.models import Enterprise

# The enterprise page lists the newest links; older ones stay in the database and the admin.
SHOWN_LINKS = 10


def enterprise_links(*, enterprise: Enterprise) -> list[SelfServiceLink]:
    """The enterprise's newest personal links, newest first, whatever their state."""
    return list(
        SelfServiceLink.objects.filter(enterprise=enterprise).select_related(
            "liaison", "created_by", "campaign"
        )[:SHOWN_LINKS]
    )
