"""When the SMS provider refuses the account, the signature or a template.

Every further message would be refused too, so the outbox does not burn through the rows:

- a campaign's message: the campaign stops (``Campaign.Status.STOPPED``, when and why), its
  still-queued rows are held (one set-based UPDATE), and admins are told by e-mail and on the
  campaign's page. Once the configuration is fixed an admin resumes it (held rows are queued
  again) or cancels it (held rows are not sent);
- any other message (a self-service code, a correction notice): failed with
  ``PROVIDER_REFUSED``, never retried, and admins told once per code and template
  (``SMS_REFUSAL_MAIL_HOURS``).

A refusal is no failed contact attempt: it says nothing about the liaison's number.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import mail_admins, send_mail
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging import leasing, window
from outreach.messaging.backends import ProviderRefused, sms_backend
from outreach.messaging.gateways.answers import TEMPLATE, refusal_reason
from outreach.messaging.gateways.answers import missing_code_reason as refusal_reason_missing_code
from outreach.messaging.models import Campaign, Channel, MessageTemplate, OutboxMessage
from registry import clock
from registry.roles import Role
from registry.workdays import WorkCalendar

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
Problem = OutboxMessage.Problem


def _reason(message: OutboxMessage, error: ProviderRefused) -> str:
    if error.what == TEMPLATE:
        return refusal_reason(TEMPLATE, error.code, template=message.template)
    return error.reason


def provider_refusal_record(*, message: OutboxMessage, error: ProviderRefused) -> str:
    """Record the provider's refusal of a claimed message; returns the message's status."""
    reason = _reason(message, error)
    detail = str(error)[:500]
    now = clock.now()
    with transaction.atomic():
        if message.campaign_id is None:
            leasing.mark_failed(message, detail=detail, problem=Problem.PROVIDER_REFUSED)
            key = f"sms-provider-refused:{error.code}:{message.template_id}"
            if cache.add(key, 1, timeout=settings.SMS_REFUSAL_MAIL_HOURS * 3600):
                _tell_admins_after_commit(
                    _("SMS not sent: the provider refused the configuration"),
                    _(
                        "A message (%(purpose)s) could not be sent and will not be retried. "
                        "%(reason)s"
                    )
                    % {"purpose": message.purpose, "reason": reason},
                )
            return Status.FAILED
        stopped = Campaign.objects.filter(
            pk=message.campaign_id, status=Campaign.Status.CONFIRMED
        ).update(status=Campaign.Status.STOPPED, stopped_at=now, stopped_reason=reason[:500])
        leasing.still_mine(message).update(
            status=Status.HELD, lease_until=None, problem=Problem.PROVIDER_REFUSED, error=detail
        )
        held = OutboxMessage.objects.filter(
            campaign_id=message.campaign_id, status=Status.QUEUED
        ).update(status=Status.HELD, problem=Problem.PROVIDER_REFUSED, error=detail)
        if stopped:
            campaign = Campaign.objects.get(pk=message.campaign_id)
            logger.warning("outbox: campaign %s stopped: %s", campaign.pk, detail)
            _tell_admins_after_commit(
                _("Campaign “%(name)s” stopped: the SMS provider refused it")
                % {"name": campaign.name},
                _(
                    "%(reason)s\n\n%(held)s messages are held. Once the configuration is "
                    "fixed, resume or cancel the campaign on its page."
                )
                % {"reason": reason, "held": held + 1},
            )
    return Status.HELD


def message_hold(*, message: OutboxMessage) -> None:
    """A claimed message of a campaign that was stopped meanwhile: held, not sent."""
    leasing.still_mine(message).update(
        status=Status.HELD, lease_until=None, problem=Problem.PROVIDER_REFUSED
    )


def _tell_admins_after_commit(subject: str, text: str) -> None:
    def tell():
        if settings.ADMINS:
            mail_admins(subject, text, fail_silently=True)
            return
        # No ADMINS configured: the portal's own admins who have an address.
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        addresses = sorted(
            {u.email for u in users.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value))}
        )
        if addresses:
            send_mail(
                f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
                text,
                None,
                addresses,
                fail_silently=True,
            )

    transaction.on_commit(tell, robust=True)


# --- What admins do once the configuration is fixed --------------------------------------


def campaign_resume(*, campaign: Campaign, by) -> Campaign:
    """A stopped campaign goes on: its held messages are queued again."""
    if campaign.status != Campaign.Status.STOPPED:
        raise ServiceError(_("Only a stopped campaign can be resumed."))
    template_require_approved(campaign.template)
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.STOPPED).update(
            status=Campaign.Status.CONFIRMED
        )
        if not updated:
            raise ServiceError(_("Only a stopped campaign can be resumed."))
        # Not before the time each row was due (a scheduled campaign keeps its time), nor
        # outside the sending window (resumed in the evening: the next window start).
        now = clock.now()
        at = now
        if not campaign.outside_window:
            at = window.next_start(now, calendar=WorkCalendar.load())
        queued = OutboxMessage.objects.filter(campaign=campaign, status=Status.HELD).update(
            status=Status.QUEUED,
            next_attempt_at=Greatest(Coalesce("next_attempt_at", Value(at)), Value(at)),
            problem="",
            error="",
        )
        logger.info("outbox: campaign %s resumed by %s (%s messages)", campaign.pk, by, queued)
        if queued:
            from outreach.messaging.services import deliver_after_commit

            deliver_after_commit()
    campaign.refresh_from_db()
    return campaign


def campaign_cancel(*, campaign: Campaign, by) -> Campaign:
    """A stopped campaign is given up: its held messages are not sent."""
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.STOPPED).update(
            status=Campaign.Status.CANCELLED
        )
        if not updated:
            raise ServiceError(_("Only a stopped campaign can be cancelled here."))
        OutboxMessage.objects.filter(campaign=campaign, status=Status.HELD).update(
            status=Status.SKIPPED, next_attempt_at=None
        )
        logger.info("outbox: campaign %s cancelled by %s", campaign.pk, by)
    campaign.refresh_from_db()
    return campaign


# --- Approved templates -----------------------------------------------------------------


def provider_requires_templates() -> bool:
    """A real SMS provider is configured: it sends approved templates only."""
    return sms_backend().requires_templates


def template_lacks_code(template: MessageTemplate | None) -> bool:
    return (
        template is not None
        and template.channel == Channel.SMS
        and not template.provider_code
        and provider_requires_templates()
    )


def template_require_approved(template: MessageTemplate | None) -> None:
    """Refuse up front (a clear message, not a failed send later) an SMS template without
    an approved code while a real provider is configured."""
    if template_lacks_code(template):
        raise ServiceError(
            _(
                "The template “%(template)s” has no approved template code: the SMS provider "
                "sends only approved templates. An admin must enter its code in the template "
                "editor first."
            )
            % {"template": template.name},
            field="template",
        )


def own_template_require_approved(key: str, *, purpose: str) -> None:
    """Before a portal message (a self-service code) is written: with a real provider and no
    approved code for its template the message could never go out. Say so to the person
    waiting for it (ServiceError) and tell the admins (once per SMS_REFUSAL_MAIL_HOURS),
    instead of a code that never arrives."""
    template = MessageTemplate.objects.filter(key=key).first()
    if not template_lacks_code(template):
        return
    if cache.add(
        f"sms-template-lacks-code:{key}", 1, timeout=settings.SMS_REFUSAL_MAIL_HOURS * 3600
    ):
        _tell_admins_after_commit(
            _("SMS not sent: a template has no approved code"),
            _("A liaison asked for a message (%(purpose)s) that cannot be sent. %(reason)s")
            % {
                "purpose": purpose,
                "reason": refusal_reason_missing_code(template),
            },
        )
    raise ServiceError(
        _(
            "The code cannot be sent by SMS at the moment: the park's SMS template is not "
            "approved yet. Please try again later, or contact the park's enterprise service "
            "centre to check your details."
        ),
        code="sms_unavailable",
    )


def templates_lacking_code() -> list[MessageTemplate]:
    """The SMS templates a real provider would refuse (for admins' lists); none otherwise."""
    if not provider_requires_templates():
        return []
    return list(MessageTemplate.objects.filter(channel=Channel.SMS, provider_code=""))


def stopped_campaigns():
    return Campaign.objects.filter(status=Campaign.Status.STOPPED).order_by("-stopped_at")


__all__ = [
    "campaign_cancel",
    "campaign_resume",
    "provider_refusal_record",
    "stopped_campaigns",
    "template_lacks_code",
    "template_require_approved",
    "templates_lacking_code",
]
