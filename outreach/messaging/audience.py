"""Which enterprises a campaign goes to: the enterprise list's filters as its sender sees
them, or, for an event's invitation, the event's invitees. One home for the preview, the
test send and the bulk write, so the three count the same recipients."""

from django.db.models import Exists, OuterRef, QuerySet

from outreach.messaging.models import Campaign, OutboxMessage
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters, enterprise_list

# An invitee whose invitation SMS is written and not failed is not sent another one: a
# second campaign of the same event (after more liaisons were invited) reaches the new ones.
_ON_ITS_WAY = (
    OutboxMessage.Status.QUEUED,
    OutboxMessage.Status.SENDING,
    OutboxMessage.Status.SENT,
)


def event_invitees(*, event_id: int) -> QuerySet:
    """The enterprises whose invited liaison is still their current liaison and has no
    invitation SMS of this event on its way or sent (a query of ids, for IN (…))."""
    from outreach.events.models import EventInvitation

    messaged = OutboxMessage.objects.filter(
        campaign__event_id=event_id,
        campaign__kind=Campaign.Kind.EVENT_INVITATION,
        liaison_id=OuterRef("liaison_id"),
        status__in=_ON_ITS_WAY,
    )
    return (
        EventInvitation.objects.filter(event_id=event_id, liaison__ended_on__isnull=True)
        .filter(~Exists(messaged))
        .values("enterprise_id")
    )


def campaign_enterprises(
    *, kind: str, filters: EnterpriseFilters, by, event_id: int | None = None
) -> QuerySet[Enterprise]:
    """The enterprises a campaign of ``kind`` chooses, as ``by`` sees the enterprise list
    (a grid worker: their grids)."""
    if kind == Campaign.Kind.EVENT_INVITATION:
        return enterprise_list(user=by, filters=EnterpriseFilters()).filter(
            pk__in=event_invitees(event_id=event_id)
        )
    return enterprise_list(user=by, filters=filters)


def chosen_of(campaign: Campaign) -> QuerySet[Enterprise]:
    return campaign_enterprises(
        kind=campaign.kind,
        filters=EnterpriseFilters(**campaign.filters),
        by=campaign.created_by,
        event_id=campaign.event_id,
    )
