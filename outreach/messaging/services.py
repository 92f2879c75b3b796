"""Every write of the messaging part: templates, single messages, campaigns, delivery.

Delivery is exactly-once towards the gateway as far as the gateway honours idempotency keys:
a worker *claims* due rows (``outreach.messaging.leasing``: ``SELECT … FOR UPDATE SKIP
LOCKED``, then status ``sending`` with a lease and one more attempt), sends each with the
message's idempotency key, and marks it with a conditional UPDATE that only succeeds while the
claim is still its own. A worker killed between send and mark leaves the lease to expire; the
sweep claims the message again and the gateway, seeing the same key, does not deliver it
twice.
"""

import dataclasses
import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging import (
    audience,
    backends,
    leasing,
    provider_templates,
    refusals,
    rendering,
    window,
)
from outreach.messaging.bulk import outbox_write_bulk
from outreach.messaging.defaults import allowed_placeholders
from outreach.messaging.models import (
    STAFF_NOTICE_PURPOSES,
    Campaign,
    Channel,
    MessageTemplate,
    OutboxMessage,
)
from outreach.messaging.signals import message_undeliverable
from registry import annual_reports, clock
from registry.models import Enterprise, Liaison
from registry.selectors import EnterpriseFilters
from registry.workdays import WorkCalendar

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Problem = OutboxMessage.Problem


# --- Templates --------------------------------------------------------------------------


def template_update(
    *,
    template: MessageTemplate,
    by,
    name: str,
    subject: str,
    body: str,
    provider_code: str | None = None,
    provider_params: list | None = None,
) -> MessageTemplate:
    """An admin's edit of a template: placeholders checked and written in canonical form;
    with ``provider_code``/``provider_params`` the provider's approved template too (each
    parameter filled by a placeholder the text has). None leaves them as they are."""
    errors = {}
    allowed = allowed_placeholders(template)
    for field, text in (("subject", subject), ("body", body)):
        try:
            rendering.validate(text, allowed=allowed)
        except ValidationError as error:
            errors[field] = error.messages
    if provider_params is not None:
        try:
            provider_params = provider_templates.params_validate(provider_params, body=body)
        except ValidationError as error:
            errors["provider_params"] = error.messages
    if errors:
        raise ValidationError(errors)
    if provider_code is not None:
        template.provider_code = provider_code.strip()
    if provider_params is not None:
        template.provider_params = provider_params
    template.name = name
    template.subject = rendering.canonical(subject)
    template.body = rendering.canonical(body)
    template.updated_by = by
    template.full_clean()
    template.save()
    return template


# --- Single messages --------------------------------------------------------------------


def _address(liaison: Liaison | None, channel: str) -> str:
    if liaison is None:
        return ""
    return liaison.mobile if channel == Channel.SMS else liaison.email


@dataclass(frozen=True)
class Recipient:
    """Someone who is not the enterprise's liaison (a matter's requester): the message goes to
    their own ``address`` (a mobile for SMS, an e-mail address) and ``{{ liaison }}`` reads
    their ``name``. The row is tied to no liaison, so whether it arrives says nothing about
    the liaison (outreach.messaging.contact_log)."""

    name: str
    address: str


def message_enqueue(
    *,
    enterprise: Enterprise | None,
    liaison: Liaison | None = None,
    channel: str | None = None,
    template: MessageTemplate | str | None = None,
    subject: str = "",
    body: str = "",
    context: dict[str, Any] | None = None,
    purpose: str,
    by=None,
    campaign: Campaign | None = None,
    to: str = "",
    recipient: Recipient | None = None,
) -> OutboxMessage:
    """Write one message to a liaison (by default the enterprise's current one) in the
    caller's transaction; delivery is arranged for after the commit, so a rolled-back change
    sends nothing.

    ``template`` (an instance or its key) gives the channel, subject and text unless they are
    passed; ``context`` fills extra placeholders such as ``{{ link }}``. With no liaison or no
    address for the channel the row is written as not sent, with the reason. ``recipient``
    instead of a liaison: someone else, at their own address (no liaison on the row); only
    such a message may have no ``enterprise`` (a requester not yet identified).
    """
    if isinstance(template, str):
        template = MessageTemplate.objects.get(key=template)
    channel, subject, body = _message_text(template, channel=channel, subject=subject, body=body)
    liaison, name, to, problem = _message_addressee(
        enterprise, liaison, recipient, channel=channel, to=to
    )
    values = {
        "enterprise": enterprise.name if enterprise is not None else "",
        "liaison": name,
        **{k: str(v) for k, v in (context or {}).items()},
    }
    message = OutboxMessage.objects.create(
        enterprise=enterprise,
        liaison=liaison,
        campaign=campaign,
        channel=channel,
        to=to,
        subject=rendering.render(subject, values)[:200] if channel == Channel.EMAIL else "",
        body=rendering.render(body, values),
        template=template,
        params={k: v for k, v in values.items() if k in rendering.placeholders_in(body)},
        purpose=purpose,
        status=Status.SKIPPED if problem else Status.QUEUED,
        next_attempt_at=None if problem else clock.now(),
        problem=problem,
        created_by=by,
    )
    if not problem:
        deliver_after_commit()
    return message


def _message_text(
    template: MessageTemplate | None, *, channel: str | None, subject: str, body: str
) -> tuple[str, str, str]:
    """The channel, subject and text of a message: those passed, else the template's.
    ServiceError: an unknown channel or no text."""
    if template is not None:
        channel = channel or template.channel
        subject = subject or template.subject
        body = body or template.body
    if channel not in Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel")
    if not body.strip():
        raise ServiceError(_("A message needs a text."), field="body")
    return channel, subject, body


def _message_addressee(
    enterprise: Enterprise | None,
    liaison: Liaison | None,
    recipient: Recipient | None,
    *,
    channel: str,
    to: str,
) -> tuple[Liaison | None, str, str, str]:
    """Who a message goes to: (liaison or None, the name its text greets, the address, the
    problem that keeps it from being sent or ""). A ``recipient`` is someone who is not a
    liaison, at their own address (ValueError: a recipient and a liaison or ``to`` at once)."""
    if recipient is None and enterprise is None:
        raise ValueError("A message to a liaison is filed under their enterprise.")
    if recipient is not None:
        if liaison is not None or to:
            raise ValueError("A message goes to a recipient or to a liaison, not both.")
        return (
            None,
            recipient.name,
            recipient.address,
            "" if recipient.address else Problem.NO_ADDRESS,
        )
    liaison = _message_liaison(enterprise, liaison)
    to = to or _address(liaison, channel)
    problem = "" if to else (Problem.NO_LIAISON if liaison is None else Problem.NO_ADDRESS)
    return liaison, liaison.name if liaison else "", to, problem


def _message_liaison(enterprise: Enterprise, liaison: Liaison | None) -> Liaison | None:
    """The liaison a message goes to: the one passed, else the enterprise's current one (None:
    it has none). ServiceError: a liaison of another enterprise."""
    if liaison is None:
        return Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
    if liaison.enterprise_id != enterprise.pk:
        raise ServiceError(_("This liaison belongs to another enterprise."), field="liaison")
    return liaison


@dataclass(frozen=True)
class StaffNotice:
    """One notice to a staff member's own mobile: the enterprise it is filed under (the
    outbox files every message under one), the number, the template's values."""

    enterprise_id: int | None
    to: str
    values: dict[str, str]


@dataclass(frozen=True)
class StaffEmail:
    """One e-mail to a staff member's own address, its subject and text written whole by the
    caller (in the park's language), filed under the enterprise it is about (None: not
    identified yet)."""

    enterprise_id: int | None
    to: str
    subject: str
    body: str


def staff_notices_enqueue(
    *,
    template: MessageTemplate | str,
    notices: list[StaffNotice],
    purpose: str,
    now: datetime.datetime | None = None,
) -> list[OutboxMessage]:
    """Notices to staff members' own mobiles (STAFF_NOTICE_PURPOSES), written in the caller's
    transaction in one INSERT and delivered after its commit. Each is rendered from
    ``values`` only: a staff notice carries no liaison (nor a liaison's name); a failure to
    deliver it is no failed contact of the enterprise. ServiceError: an unknown purpose."""
    if purpose not in STAFF_NOTICE_PURPOSES:
        raise ServiceError(_("Unknown purpose of a staff notice."), field="purpose")
    if not notices:
        return []
    if isinstance(template, str):
        template = MessageTemplate.objects.get(key=template)
    now = now or clock.now()
    used = rendering.placeholders_in(template.body)
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            enterprise_id=notice.enterprise_id,
            liaison=None,
            channel=template.channel,
            to=notice.to,
            subject="",
            body=rendering.render(template.body, notice.values),
            template=template,
            params={k: v for k, v in notice.values.items() if k in used},
            purpose=purpose,
            status=Status.QUEUED,
            next_attempt_at=now,
        )
        for notice in notices
    )
    deliver_after_commit()
    return messages


def staff_emails_enqueue(
    *, emails: list[StaffEmail], purpose: str, now: datetime.datetime | None = None
) -> list[OutboxMessage]:
    """E-mails to staff members' own addresses (STAFF_NOTICE_PURPOSES), in the caller's
    transaction in one INSERT: the outbox delivers them after its commit and retries one the
    mail server did not take (a lease, a backoff, then given up), like any message. No
    liaison, no template; a failure is no failed contact of the enterprise."""
    if purpose not in STAFF_NOTICE_PURPOSES:
        raise ServiceError(_("Unknown purpose of a staff notice."), field="purpose")
    if not emails:
        return []
    now = now or clock.now()
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            enterprise_id=email.enterprise_id,
            liaison=None,
            channel=Channel.EMAIL,
            to=email.to,
            subject=email.subject[:200],
            body=email.body,
            purpose=purpose,
            status=Status.QUEUED,
            next_attempt_at=now,
        )
        for email in emails
    )
    deliver_after_commit()
    return messages


def deliver_after_commit() -> None:
    """Wake the delivery worker once the caller's transaction commits (messages it queued)."""
    # robust: a broker that is down must not turn the caller's committed change into an
    # error page. The row is queued either way and the minute sweep sends it.
    from outreach.messaging.tasks import kick_delivery

    transaction.on_commit(kick_delivery, robust=True)


# --- Campaigns --------------------------------------------------------------------------


def _in_annual_report_window(day: datetime.date) -> bool:
    return day.month <= 6  # 1 January – 30 June


def campaign_create(
    *,
    name: str,
    kind: str,
    template: MessageTemplate,
    filters: EnterpriseFilters,
    by,
    include_deregistered: bool = False,
    event=None,
    materials: list | None = None,
) -> Campaign:
    """A draft campaign to the current liaisons of the enterprises ``filters`` selects (as
    ``by`` sees the enterprise list): nothing is sent until its sender confirms it after the
    preview (``campaign_controls``), which writes one outbox row per enterprise by a single
    INSERT … SELECT. Enterprises without a liaison or an address get a "not sent" row so the
    campaign shows who it could not reach; deregistered ones are left out unless
    ``include_deregistered``. A greeting or care SMS ends with the opt-out line.

    A details check (template with ``{{ link }}``) gives every recipient whose liaison has
    a mobile a new personal link in the same statement, recorded with the campaign; the
    others get a "not sent" row (no mobile: the code could not reach them). All of it, the
    campaign included, is one transaction.

    An event's invitation (``event``, kind EVENT_INVITATION) goes to the event's invitees
    (``outreach.messaging.audience``), not to ``filters``; the event's topic, time and place
    are written into its text now, each recipient's link when it is confirmed.

    ``materials`` (published, from the library): their links fill ``{{ materials }}``,
    added at the end of the text when the template has no place for them."""
    _campaign_kind_check(kind=kind, name=name)
    if (kind == Campaign.Kind.EVENT_INVITATION) != (event is not None):
        raise ServiceError(
            _("An event invitation is prepared from its event's invitations page."), field="kind"
        )
    _campaign_template_check(template, kind=kind)
    materials = _campaign_materials_check(list(materials or []), template=template)
    body = template.body
    if materials and "materials" not in rendering.placeholders_in(body):
        body = f"{body.rstrip()} {{{{ materials }}}}"
    body = with_opt_out_line(body, kind=kind, channel=template.channel)
    if event is not None:
        filters = EnterpriseFilters()
        body = rendering.fill(body, event_values(event))
    if kind == Campaign.Kind.ANNUAL_REPORT:
        # Only those who have not filed yet (kept with the campaign: whoever files before it
        # is confirmed is left out then too).
        filters = dataclasses.replace(
            filters, extra={**filters.extra, annual_reports.FILTER: annual_reports.NOT_FILED}
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(),
            kind=kind,
            template=template,
            channel=template.channel,
            subject=template.subject,
            body=body,
            filters={k: v for k, v in vars(filters).items() if v},
            event=event,
            include_deregistered=include_deregistered,
            status=Campaign.Status.DRAFT,
            created_by=by,
        )
        campaign.materials.set(materials)
    return campaign


def _campaign_materials_check(materials: list, *, template: MessageTemplate) -> list:
    """ServiceError unless the materials can go with the campaign: published, not too many,
    and (a real SMS provider sends only the approved template) the approved template has a
    parameter the links fill."""
    if not materials:
        return []
    most = settings.MATERIALS_PER_MESSAGE
    if len(materials) > most:
        raise ServiceError(
            _("A message carries at most %(most)d materials.") % {"most": most},
            field="materials",
        )
    if any(not material.published for material in materials):
        raise ServiceError(_("An unpublished material cannot be sent."), field="materials")
    if (
        template.channel == Channel.SMS
        and refusals.provider_requires_templates()
        and not any(p == "materials" for _n, p in (template.provider_params or []))
    ):
        raise ServiceError(
            _(
                "The approved SMS template has no parameter for the materials' links: choose "
                "a template whose approved version has {{ materials }}, or attach none."
            ),
            field="materials",
        )
    return materials


def campaign_constants(campaign: Campaign) -> dict[str, str]:
    """The placeholders a campaign fills with one value for every recipient: its event's
    topic, time and place (already in an invitation's text; a provider's template is sent
    them as values), the links of its materials still published (one unpublished since is
    left out)."""
    from outreach.materials.links import materials_text

    values = event_values(campaign.event) if campaign.event_id else {}
    if "materials" in rendering.placeholders_in(campaign.body):
        published = campaign.materials.filter(published=True).order_by("pk")
        values["materials"] = materials_text(published)
    return values


def _campaign_kind_check(*, kind: str, name: str) -> None:
    """ServiceError unless the campaign has a known kind, a name, and (an annual-report
    reminder) falls in the filing season."""
    if kind not in Campaign.Kind.values:
        raise ServiceError(_("Choose what kind of campaign this is."), field="kind")
    if not name.strip():
        raise ServiceError(_("Give the campaign a name."), field="name")
    if kind == Campaign.Kind.ANNUAL_REPORT and not _in_annual_report_window(clock.today()):
        raise ServiceError(
            _(
                "Annual-report reminders can only be sent from 1 January to 30 June, "
                "while annual reports are being filed."
            ),
            field="kind",
        )


def _campaign_template_check(template: MessageTemplate, *, kind: str) -> None:
    """ServiceError unless ``template`` can go to a whole campaign of ``kind``: only campaign
    placeholders, approved by the SMS provider, and a personal link exactly when the kind is
    a details check."""
    event_placeholders = (
        rendering.EVENT_PLACEHOLDERS if kind == Campaign.Kind.EVENT_INVITATION else ()
    )
    for text, allowed in (
        (template.subject, rendering.CAMPAIGN_SUBJECT_PLACEHOLDERS),
        (template.body, (*rendering.CAMPAIGN_PLACEHOLDERS, *event_placeholders)),
    ):
        try:
            rendering.validate(text, allowed=allowed)
        except ValidationError as error:
            raise ServiceError(
                _("This template cannot be used for a campaign: %(error)s")
                % {"error": " ".join(error.messages)},
                field="template",
            ) from error
    # A real SMS provider sends approved templates only: refused now, not failed later.
    refusals.template_require_approved(template)
    # Personal links supersede every recipient's open link: only a campaign chosen for that.
    has_link = "link" in rendering.placeholders_in(template.body)
    if kind == Campaign.Kind.DETAILS_CHECK and not has_link:
        raise ServiceError(
            _("A details check needs a template with the personal link {{ link }}."),
            field="template",
        )
    if kind == Campaign.Kind.EVENT_INVITATION and not has_link:
        raise ServiceError(
            _("An event invitation needs a template with the personal link {{ link }}."),
            field="template",
        )
    if has_link and kind not in LINK_KINDS:
        raise ServiceError(
            _(
                "A template with the personal link {{ link }} is for a details check: choose "
                "that kind (each liaison gets a new link and older links stop working)."
            ),
            field="kind",
        )


# The kinds whose every recipient gets a new personal link ({{ link }}).
LINK_KINDS = frozenset({Campaign.Kind.DETAILS_CHECK, Campaign.Kind.EVENT_INVITATION})


def event_values(event) -> dict[str, str]:
    """The event's topic, start (park time) and place (or online link) for its messages."""
    return {
        "event_topic": event.topic,
        "event_time": formats.date_format(clock.local(event.starts_at), "Y-m-d H:i"),
        "event_place": event.place or event.online_link,
    }


def with_opt_out_line(body: str, *, kind: str, channel: str) -> str:
    """A greeting or care SMS ends with the opt-out line (settings.SMS_OPT_OUT_LINE)."""
    line = settings.SMS_OPT_OUT_LINE
    if kind not in OPT_OUT_KINDS or channel != Channel.SMS or not line:
        return body
    if body.rstrip().endswith(line):
        return body
    return f"{body.rstrip()}{line}"


# The kinds an opted-out number does not get (notices and the self-service code ignore it).
OPT_OUT_KINDS = frozenset({Campaign.Kind.HOLIDAY, Campaign.Kind.CARE})


def campaign_messages_insert(
    *,
    campaign: Campaign,
    filters: EnterpriseFilters,
    by,
    send_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    paused: tuple[str, list] | None = None,
):
    """One statement over the filtered enterprises and their current liaisons (with the
    personal links when the text has ``{{ link }}``)."""
    chosen = (
        audience.campaign_enterprises(
            kind=campaign.kind, filters=filters, by=by, event_id=campaign.event_id
        )
        .order_by()
        .values("pk")
    )
    links = "link" in rendering.placeholders_in(campaign.body)
    return outbox_write_bulk(
        enterprises=chosen.query.sql_with_params(),
        channel=campaign.channel,
        subject=campaign.subject,
        body=campaign.body,
        # The admin hides the text of every "self-service…" message: it opens a form.
        purpose="self-service-link" if links else "campaign",
        by_id=by.pk if by else None,
        campaign_id=campaign.pk,
        template_id=campaign.template_id,
        send_at=send_at,
        now=now,
        include_deregistered=campaign.include_deregistered,
        paused=paused,
        opt_out=campaign.kind in OPT_OUT_KINDS,
        constants=campaign_constants(campaign),
    )


# --- Delivery ---------------------------------------------------------------------------


def outbox_claim(*, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker (``leasing.claim``): queued ones whose
    time has come and sending ones whose sender's lease ran out. Rows another worker is
    claiming are skipped, not waited for, so any number of workers drain the outbox side by
    side."""
    claimed = leasing.claim(OutboxMessage.objects.order_by(), limit=limit, now=clock.now())
    return list(claimed.select_related("enterprise", "liaison", "template"))


def message_deliver(*, message: OutboxMessage) -> str:
    """Send one claimed message and record what happened; returns the new status."""
    try:
        if message.channel == Channel.SMS:
            gateway_id = backends.send_sms_message(message)
        else:
            gateway_id = backends.send_email(
                to=message.to,
                subject=message.subject,
                text=message.body,
                idempotency_key=message.idempotency_key,
            )
    except backends.ProviderRefused as error:  # the account or template: stop, tell admins
        return refusals.provider_refusal_record(message=message, error=error)
    except backends.PermanentFailure as error:
        problem = error.problem or (
            Problem.INVALID_ADDRESS if message.channel == Channel.SMS else Problem.BOUNCED
        )
        return _fail_permanently(message, problem=problem, detail=str(error), contact=error.contact)
    except Exception as error:  # temporary by default: a retry costs less than a lost message
        if not isinstance(error, backends.TemporaryFailure):
            logger.exception("outbox: unexpected error sending message %s", message.pk)
        return _retry_later(
            message,
            detail=str(error) or error.__class__.__name__,
            retry_at=getattr(error, "retry_at", None),
        )
    marked = leasing.mark_sent(
        message, gateway_id=str(gateway_id or "")[:100], problem="", error=""
    )
    if not marked:
        logger.warning("outbox: message %s was reclaimed while being sent", message.pk)
    return Status.SENT


def _in_window(message: OutboxMessage, at: datetime.datetime) -> datetime.datetime:
    """A campaign's retry waits for the sending window like its first try did (an hour's
    throttle at 17:10 goes out the next working morning), unless its sender confirmed it to
    go outside the window (the weather kind)."""
    if (
        message.campaign_id is None
        or Campaign.objects.filter(pk=message.campaign_id, outside_window=True).exists()
    ):
        return at
    return window.next_start(at, calendar=WorkCalendar.load())


def _retry_later(message: OutboxMessage, *, detail: str, retry_at=None) -> str:
    """A temporary failure (``leasing.retry_later``): retried after the backoff, or when the
    provider's throttle (``retry_at``) ends, in the sending window; given up after
    ``OUTBOX_MAX_ATTEMPTS`` unless throttled (not a failure of ours)."""
    return leasing.retry_later(
        message,
        detail=detail,
        retry_at=retry_at,
        allowed_at=lambda at: _in_window(message, at),
        again={"problem": Problem.TEMPORARY},
        gave_up={"problem": Problem.GAVE_UP},
    )


def _fail_permanently(
    message: OutboxMessage, *, problem: str, detail: str, contact: bool = True
) -> str:
    with transaction.atomic():
        marked = leasing.mark_failed(message, detail=detail, problem=problem)
        if marked and contact:
            message.refresh_from_db()
            # In this transaction: the contact log's failed attempt commits with the mark.
            message_undeliverable.send(
                sender=OutboxMessage, message=message, channel=message.channel
            )
    return Status.FAILED


def message_bounce_record(*, message: OutboxMessage, detail: str = "") -> OutboxMessage:
    """A bounce that arrives after the message was handed over (an e-mail's delivery status
    notification, a gateway's delivery report): the message failed after all."""
    with transaction.atomic():
        marked = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENT).update(
            status=Status.FAILED,
            failed_at=clock.now(),
            problem=Problem.BOUNCED,
            error=detail[:500],
        )
        message.refresh_from_db()
        if marked:
            message_undeliverable.send(
                sender=OutboxMessage, message=message, channel=message.channel
            )
    return message


def outbox_drain(*, max_seconds: float) -> int:
    """Claim and send due messages, batch after batch, for at most ``max_seconds``.
    Returns how many messages were handled."""
    deadline = time.monotonic() + max_seconds
    handled = 0
    while time.monotonic() < deadline:
        batch = outbox_claim(limit=settings.OUTBOX_BATCH_SIZE)
        if not batch:
            break
        stopped = set()  # campaigns the provider's refusal stopped during this batch
        for message in batch:
            if message.campaign_id in stopped:
                refusals.message_hold(message=message)
            elif message_deliver(message=message) == Status.HELD:
                stopped.add(message.campaign_id)
        handled += len(batch)
    return handled


def outbox_has_due() -> bool:
    return OutboxMessage.objects.filter(leasing.due(clock.now())).exists()
