"""An agent (代账) who is the liaison of several enterprises checks them all in one visit:
the code sent once to their mobile and entered unlocks the link they opened (the visit);
every other enterprise whose current liaison has that same mobile is then theirs to confirm
or correct too — the code proved the mobile, and the mobile is what makes them the same
person here. Each such enterprise gets a link of its own, opened already unlocked (its
token is sent nowhere), so confirming or correcting it is the same service, the same
checks and the same contact log as through its own SMS.

The visit holds for VISIT_SECONDS after the code was entered (the session's own length).
"""

import datetime

from django.db import transaction

from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.links import OPEN
from outreach.selfservice.services.refusals import LinkUnknown
from outreach.selfservice.tokens import token_hash, token_new
from registry import clock
from registry.models import Enterprise, Liaison

VISIT_SECONDS = 30 * 60


def visit_check(visit: SelfServiceLink, *, now: datetime.datetime) -> None:
    """LinkUnknown unless the visit's code was entered within VISIT_SECONDS and the link was
    neither withdrawn nor locked since (spent is fine: the visit outlives its first answer)."""
    if (
        visit.unlocked_at is None
        or now - visit.unlocked_at > datetime.timedelta(seconds=VISIT_SECONDS)
        or visit.revoked_at is not None
        or visit.locked_at is not None
    ):
        raise LinkUnknown()


def selfservice_agent_link_open(*, visit: SelfServiceLink, enterprise_id: int) -> SelfServiceLink:
    """A link, already unlocked, for another enterprise of the visit's liaison (same mobile
    as the visit's liaison, now). Older open links of that enterprise's liaison stop working,
    as for any new link. LinkUnknown for an enterprise that is not theirs."""
    now = clock.now()
    visit = SelfServiceLink.objects.get(pk=visit.pk)
    visit_check(visit, now=now)
    with transaction.atomic():
        # Serialised with a link sent by hand for the same enterprise (selfservice_link_send).
        enterprise = (
            Enterprise.objects.select_for_update(no_key=True).filter(pk=enterprise_id).first()
        )
        liaison = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
        mine = Liaison.objects.get(pk=visit.liaison_id).mobile
        if liaison is None or not mine or liaison.mobile != mine:
            raise LinkUnknown()
        SelfServiceLink.objects.filter(OPEN, liaison=liaison).update(superseded_at=now)
        return SelfServiceLink.objects.create(
            enterprise=enterprise,
            liaison=liaison,
            liaison_version=liaison.version,
            channel=visit.channel,
            token_hash=token_hash(token_new()),
            expires_at=visit.unlocked_at + datetime.timedelta(seconds=VISIT_SECONDS),
            unlocked_at=now,
        )
