"""What staff do with a draft campaign: send themselves a test, confirm it (now or at a time
within the sending window), and, above a size, have another admin approve it (four eyes:
../shared/seeds/003, significant outbound communication is approved by someone other than
whoever asks for it).

- ``campaign_test_send``: one message to the sender's own mobile (accounts.AccountProfile)
  or e-mail, rendered for the first chosen enterprise, marked as a test (purpose
  ``campaign-test``, not one of the campaign's messages, never a contact attempt).
- ``campaign_confirm``: the sender's. A time outside the window is refused with the next
  window start suggested, unless the kind is urgent (severe weather) and the sender confirmed
  going outside it. No recipient: refused. More messages than CAMPAIGN_APPROVAL_THRESHOLD:
  the campaign waits (AWAITING_APPROVAL); otherwise its rows are written now, each with
  next_attempt_at = its time (the outbox claim waits for it).
- ``campaign_approve``: an admin other than the sender writes the rows then; a time gone by
  or outside the window is moved to the next window start (the approver chose no time).
- ``campaign_cancel``: a draft or waiting campaign, by its sender or an admin (rejection).
All times come from the one clock (registry/clock.py) through ``now``.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging import audience, rendering, services, window
from outreach.messaging.exclusions import paused_sql
from outreach.messaging.models import Campaign, Channel, OutboxMessage
from outreach.messaging.preview import campaign_preview
from outreach.selfservice.tokens import link_url
from registry import clock
from registry.roles import Role, user_role
from registry.selectors import EnterpriseFilters
from registry.workdays import WorkCalendar

TEST_PURPOSE = "campaign-test"
URGENT_KINDS = frozenset({Campaign.Kind.WEATHER})
# A time chosen on the page is "now" if it is this close to the past.
_GRACE = datetime.timedelta(minutes=5)

Status = Campaign.Status


def _when(at: datetime.datetime) -> str:
    return formats.date_format(clock.local(at), "Y-m-d H:i")


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _is_admin(user) -> bool:
    return user_role(user) == Role.ADMIN


# --- Test send ---------------------------------------------------------------------------


def own_address(user, channel: str) -> str:
    """The sender's own mobile (accounts.AccountProfile) or e-mail: where a test goes."""
    from accounts.models import AccountProfile

    if channel == Channel.EMAIL:
        return (user.email or "").strip()
    return AccountProfile.objects.filter(user=user).values_list("mobile", flat=True).first() or ""


def campaign_test_send(
    *, campaign: Campaign, by, now: datetime.datetime | None = None
) -> OutboxMessage:
    """One message of ``campaign`` to ``by``'s own mobile or e-mail, rendered for the first
    chosen enterprise (a personal link is an example that opens nothing)."""
    if campaign.status != Status.DRAFT:
        raise ServiceError(_("Only a draft campaign can be tested."), code="not_draft")
    to = own_address(by, campaign.channel)
    if not to:
        raise ServiceError(
            _("Your account has no e-mail address to send the test to.")
            if campaign.channel == Channel.EMAIL
            else _("Your account has no mobile to send the test to: ask an admin to add it."),
            code="no_address",
        )
    sample = audience.chosen_of(campaign).order_by("pk").first()
    if sample is None:
        raise ServiceError(
            _("The campaign chooses no enterprise to render the test for."), code="no_sample"
        )
    liaison = next(iter(sample.liaisons.all()), None)
    values = {
        "enterprise": sample.name,
        "liaison": liaison.name if liaison else "",
        "link": link_url("x" * 43),
        **services.campaign_constants(campaign),
    }
    now = now or clock.now()
    with transaction.atomic():
        campaign = _locked(campaign)
        message = OutboxMessage.objects.create(
            enterprise=sample,
            liaison=None,
            campaign=None,
            channel=campaign.channel,
            to=to,
            subject=(
                rendering.render(campaign.subject, values)[:200]
                if campaign.channel == Channel.EMAIL
                else ""
            ),
            body=rendering.render(campaign.body, values),
            template=campaign.template,
            params={
                k: v
                for k, v in values.items()
                if k in rendering.placeholders_in(campaign.body)
                or k in rendering.EVENT_PLACEHOLDERS
            },
            purpose=TEST_PURPOSE,
            status=OutboxMessage.Status.QUEUED,
            next_attempt_at=now,
            created_by=by,
        )
        campaign.last_test = message
        campaign.save(update_fields=["last_test"])
        services.deliver_after_commit()
    return message


# --- Confirm, approve, cancel ------------------------------------------------------------


def _check_window(
    *, campaign: Campaign, at: datetime.datetime, outside_window: bool, calendar
) -> bool:
    """Whether ``at`` is outside the window (allowed for an urgent kind confirmed so);
    refuses otherwise, suggesting the next window start."""
    if window.is_open(at, calendar=calendar):
        return False
    if campaign.kind in URGENT_KINDS and outside_window:
        return True
    suggestion = window.next_start(at, calendar=calendar)
    if campaign.kind in URGENT_KINDS:
        message = _(
            "%(when)s is outside the sending window (working days %(window)s). The next "
            "window starts %(next)s; a severe-weather notice can go out now if you confirm "
            "sending outside the window."
        )
    else:
        message = _(
            "%(when)s is outside the sending window (working days %(window)s). The next "
            "window starts %(next)s."
        )
    raise ServiceError(
        message % {"when": _when(at), "window": window.window_text(), "next": _when(suggestion)},
        field="send_at",
        code="outside_window",
    )


def campaign_confirm(
    *,
    campaign: Campaign,
    by,
    send_at: datetime.datetime | None = None,
    outside_window: bool = False,
    now: datetime.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> Campaign:
    """The sender confirms the draft: at ``send_at`` (None: now). See the module doc."""
    now = now or clock.now()
    calendar = calendar or WorkCalendar.load()
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != Status.DRAFT:
            raise ServiceError(_("This campaign is no longer a draft."), code="not_draft")
        if by.pk != campaign.created_by_id:
            raise ServiceError(_("Only the campaign's sender can confirm it."), code="not_sender")
        if send_at is not None and send_at < now - _GRACE:
            raise ServiceError(_("The time to send is in the past."), field="send_at", code="past")
        at = max(send_at or now, now)
        outside = _check_window(
            campaign=campaign, at=at, outside_window=outside_window, calendar=calendar
        )
        preview = campaign_preview(campaign=campaign, now=now)
        if not preview.sendable:
            raise ServiceError(
                _("No recipient: nothing would be sent. Change the enterprises chosen."),
                code="no_recipient",
            )
        campaign.send_at = send_at
        campaign.outside_window = outside
        if preview.needs_approval:
            campaign.status = Status.AWAITING_APPROVAL
            campaign.recipients = preview.sendable
            campaign.save(update_fields=["send_at", "outside_window", "status", "recipients"])
            return campaign
        campaign_messages_write(campaign, at=at, now=now)
        campaign.status = Status.CONFIRMED
        campaign.save(update_fields=["send_at", "outside_window", "status", "recipients"])
    return campaign


def campaign_messages_write(
    campaign: Campaign, *, at: datetime.datetime, now: datetime.datetime
) -> None:
    """Write the campaign's rows (one statement), due at ``at``; the caller saves the
    campaign (``recipients`` is set) in its transaction. No check: confirm and approve
    check first (the demo park calls it directly)."""
    created, queued = services.campaign_messages_insert(
        campaign=campaign,
        filters=EnterpriseFilters(**campaign.filters),
        by=campaign.created_by,
        send_at=at,
        now=now,
        paused=paused_sql(clock.today(now)),
    )
    campaign.recipients = created
    if queued and at <= now:
        services.deliver_after_commit()


def campaign_approve(
    *,
    campaign: Campaign,
    by,
    now: datetime.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> Campaign:
    """An admin other than the sender approves a waiting campaign: its rows are written."""
    now = now or clock.now()
    calendar = calendar or WorkCalendar.load()
    if not _is_admin(by):
        raise ServiceError(_("Only an admin can approve a campaign."), code="not_admin")
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != Status.AWAITING_APPROVAL:
            raise ServiceError(_("This campaign is not waiting for approval."), code="not_awaiting")
        if by.pk == campaign.created_by_id:
            raise ServiceError(
                _("Another admin must approve it: the sender cannot approve their own campaign."),
                code="own_campaign",
            )
        at = max(campaign.send_at or now, now)
        if not campaign.outside_window and not window.is_open(at, calendar=calendar):
            at = window.next_start(at, calendar=calendar)
            campaign.send_at = at
        campaign_messages_write(campaign, at=at, now=now)
        if not campaign.recipients:
            raise ServiceError(_("No recipient any more: nothing would be sent."))
        campaign.status = Status.CONFIRMED
        campaign.approved_by = by
        campaign.approved_at = now
        campaign.save(
            update_fields=["send_at", "status", "recipients", "approved_by", "approved_at"]
        )
    return campaign


def campaign_cancel(
    *, campaign: Campaign, by, reason: str = "", now: datetime.datetime | None = None
) -> Campaign:
    """Cancel a draft or a campaign waiting for approval (an admin's rejection): nothing of it
    is sent. Its sender or an admin."""
    now = now or clock.now()
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in (Status.DRAFT, Status.AWAITING_APPROVAL):
            raise ServiceError(
                _("Only a draft or a campaign waiting for approval can be cancelled."),
                code="not_cancellable",
            )
        if by.pk != campaign.created_by_id and not _is_admin(by):
            raise ServiceError(
                _("Only its sender or an admin can cancel a campaign."), code="not_allowed"
            )
        campaign.status = Status.CANCELLED
        campaign.stopped_at = now
        campaign.stopped_reason = reason.strip()[:500]
        campaign.save(update_fields=["status", "stopped_at", "stopped_reason"])
    return campaign


def approval_threshold() -> int:
    return settings.CAMPAIGN_APPROVAL_THRESHOLD
