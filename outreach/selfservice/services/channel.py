"""How a personal link is sent: by SMS or by e-mail, each with its template. The code that
unlocks a link always goes to the mobile, so a liaison without one gets no link at all."""

from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging.models import Channel
from registry.models import Liaison

LINK_TEMPLATES = {Channel.SMS: "self-service-link-sms", Channel.EMAIL: "self-service-link-email"}


def link_channel(liaison: Liaison, channel: str | None) -> str:
    """The channel a link to ``liaison`` goes by: ``channel``, or by default SMS (e-mail for a
    liaison without a mobile, who is then refused). ServiceError (codes ``invalid``,
    ``no_mobile``, ``no_email``) when the link cannot go that way."""
    if channel is None:
        channel = Channel.SMS if liaison.mobile else Channel.EMAIL
    if channel not in LINK_TEMPLATES:
        raise ServiceError(_("Unknown channel."), field="channel", code="invalid")
    if not liaison.mobile:
        # The code that unlocks the link goes to the mobile: without one, no self-service.
        raise ServiceError(
            _("The liaison has no mobile number on file, so the link could not be unlocked."),
            code="no_mobile",
        )
    if channel == Channel.EMAIL and not liaison.email:
        raise ServiceError(
            _("The liaison has no e-mail address on file."), field="channel", code="no_email"
        )
    return channel
