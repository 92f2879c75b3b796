"""The link itself: sending one (older open links of the liaison stop working), resolving a
token, whether a link may still be used, revoking and spending it.

A link is a ``secrets.token_urlsafe(32)`` token (256 bits); only its SHA-256 is stored
(``tokens.py``; links sent in bulk are made the same way in SQL, ``bulk.py``). It is
accepted while it is the liaison's newest link, unused, unrevoked, unexpired and the liaison's
entry is unchanged since it was sent (SelfServiceLink.state). Resolving it writes nothing
(link scanners open every link they see).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging.services import message_enqueue
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.channel import LINK_TEMPLATES, link_channel
from outreach.selfservice.services.refusals import (
    LinkExpired,
    LinkLiaisonChanged,
    LinkLocked,
    LinkRevoked,
    LinkSuperseded,
    LinkUnknown,
    LinkUsed,
)
from outreach.selfservice.tokens import link_url, token_hash, token_new
from registry import clock
from registry.models import Door, Enterprise, Liaison
from registry.services import liaison_consent_record

OPEN = Q(used_at__isnull=True, revoked_at__isnull=True, superseded_at__isnull=True)


def selfservice_link_send(
    *, enterprise: Enterprise, by, channel: str | None = None
) -> SelfServiceLink:
    """Send the enterprise's current liaison a new personal link, through the outbox.

    Older open links of that liaison stop working. The link and its message are written in
    one transaction: no message without a link, no link nobody was sent. The token itself
    is only in the message; the returned link carries it as ``token`` for the caller.
    """
    with transaction.atomic():
        # Serialises two sends for the same enterprise, so only one link stays open.
        Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        liaison = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
        if liaison is None:
            raise ServiceError(
                _("This enterprise has no liaison to send a link to."), code="no_liaison"
            )
        channel = link_channel(liaison, channel)
        now = clock.now()
        SelfServiceLink.objects.filter(OPEN, liaison=liaison).update(superseded_at=now)
        token = token_new()
        link = SelfServiceLink.objects.create(
            enterprise=enterprise,
            liaison=liaison,
            liaison_version=liaison.version,
            channel=channel,
            token_hash=token_hash(token),
            created_by=by,
            expires_at=now + datetime.timedelta(days=settings.SELF_SERVICE_LINK_DAYS),
        )
        message_enqueue(
            enterprise=enterprise,
            liaison=liaison,
            channel=channel,
            template=LINK_TEMPLATES[channel],
            context={"link": link_url(token)},
            purpose="self-service-link",
            by=by,
        )
    link.token = token
    return link


def selfservice_link_resolve(
    token: str, *, enterprise: Enterprise | None = None
) -> SelfServiceLink:
    """The link this token opens, or a LinkInvalid saying why not. Writes nothing.

    ``enterprise``: the enterprise the caller acts on; a link of another one is unknown.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkUnknown()
    link = (
        SelfServiceLink.objects.select_related("enterprise", "liaison")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or (enterprise is not None and link.enterprise_id != enterprise.pk):
        raise LinkUnknown()
    return link_check(link)


_REFUSALS = {
    refusal.reason: refusal
    for refusal in (
        LinkRevoked,
        LinkLocked,
        LinkUsed,
        LinkSuperseded,
        LinkExpired,
        LinkLiaisonChanged,
    )
}


def link_check(link: SelfServiceLink) -> SelfServiceLink:
    """Raise LinkInvalid unless the link may still be used (also for a link held in a
    session, checked again on every request)."""
    state = link.state()
    if state != SelfServiceLink.STATE_OPEN:
        raise _REFUSALS[state]()
    return link


def selfservice_link_revoke(*, link: SelfServiceLink, by) -> SelfServiceLink:
    """Staff stop a link (e.g. sent to the wrong number). Revoking twice, or a link the
    liaison already used, changes nothing."""
    SelfServiceLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, used_at__isnull=True
    ).update(revoked_at=clock.now(), revoked_by=by)
    link.refresh_from_db()
    return link


def selfservice_link_use(*, link: SelfServiceLink) -> bool:
    """Spend the link (a submitted form). False if it was spent or stopped meanwhile."""
    return bool(SelfServiceLink.objects.filter(OPEN, pk=link.pk).update(used_at=clock.now()))


def link_spend(
    link: SelfServiceLink, *, notice_version: str, id_number_consent: bool = False
) -> None:
    """Spend the link with the notice the liaison accepted (also on the liaison's entry);
    LinkUsed if it was spent meanwhile (another tab, a double tap)."""
    now = clock.now()
    spent = SelfServiceLink.objects.filter(OPEN, pk=link.pk).update(
        used_at=now,
        notice_version=notice_version,
        notice_accepted_at=now,
        id_number_consent_at=now if id_number_consent else None,
    )
    if not spent:
        raise LinkUsed()
    liaison_consent_record(
        liaison=link.liaison, version=notice_version, by=None, door=Door.SELF_SERVICE, at=now
    )
