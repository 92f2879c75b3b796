"""At the door: writes of check-in. The event's code (its QR, rotated by staff), a liaison
checked in (by their open personal link or a code to their mobile: one attendance however
often they tap, a reached on-site contact that turns their light green), a walk-in
registered as typed and matched by staff afterwards. Confirming one's details on the same
page is self-service's own confirmation (outreach.selfservice.services), not a copy of it.

Check-in is open on the event's day(s) only, in the park's time (registry.clock)."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.events.door_models import EventAttendance, EventCheckinCode
from outreach.events.models import Event, EventInvitation
from outreach.models import ContactAttempt
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import selfservice_code_send
from outreach.selfservice.services.links import OPEN
from outreach.selfservice.tokens import token_hash, token_new
from outreach.services import contact_attempt_record
from registry import clock
from registry.models import Enterprise, Liaison

# 128 random bits: the address on the screen cannot be guessed from another event's.
CODE_BYTES = 16
# A link opened at the door for a liaison who had none open: long enough to check in and
# confirm, short enough that a phone left behind is not a way in.
DOOR_LINK_MINUTES = 30


class CheckinClosed(ServiceError):
    """The code is right but check-in is not open today."""


# --- The event's code -----------------------------------------------------------------------


def checkin_code_for(*, event: Event, by=None, now: datetime.datetime | None = None) -> str:
    """The event's check-in code, made on first use."""
    row = EventCheckinCode.objects.filter(event=event).first()
    if row is not None:
        return row.code
    return checkin_code_rotate(event=event, by=by, now=now)


def checkin_code_rotate(*, event: Event, by, now: datetime.datetime | None = None) -> str:
    """A new code for the event; the old address stops working at once."""
    now = now or clock.now()
    code = secrets.token_urlsafe(CODE_BYTES)
    EventCheckinCode.objects.update_or_create(
        event=event, defaults={"code": code, "created_at": now, "created_by": by}
    )
    return code


def checkin_days(event: Event) -> tuple[datetime.date, datetime.date]:
    """The park's days on which the event's check-in is open: its first to its last."""
    first = clock.today(event.starts_at)
    last = clock.today(event.ends_at) if event.ends_at else first
    return first, max(first, last)


def checkin_event(code: str, *, now: datetime.datetime) -> Event:
    """The event whose current code this is; Event.DoesNotExist for no event (an old,
    rotated or mistyped code), CheckinClosed on another day than the event's."""
    if not isinstance(code, str) or not 10 <= len(code) <= 43:
        raise Event.DoesNotExist()
    row = EventCheckinCode.objects.select_related("event").filter(code=code).first()
    if row is None:
        raise Event.DoesNotExist()
    checkin_open_check(row.event, now=now)
    return row.event


def checkin_open_check(event: Event, *, now: datetime.datetime) -> None:
    first, last = checkin_days(event)
    if not first <= clock.today(now) <= last:
        raise CheckinClosed(
            _("Check-in for this event is open on %(day)s only.") % {"day": first.isoformat()},
            code="checkin_closed",
        )


# --- A liaison checks in --------------------------------------------------------------------


def event_checkin(
    *, event: Event, liaison: Liaison, how: str, now: datetime.datetime | None = None
) -> tuple[EventAttendance, bool]:
    """Check the liaison in (invited or not: an uninvited liaison is welcome and recorded
    as such). Returns the attendance and whether it is new: a second check-in changes
    nothing and records no second contact."""
    now = now or clock.now()
    checkin_open_check(event, now=now)
    if how not in (EventAttendance.How.LINK, EventAttendance.How.CODE):
        raise ServiceError(_("Unknown way of checking in."), field="how")
    existing = EventAttendance.objects.filter(event=event, liaison=liaison).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        try:
            # A savepoint: two taps at once, the second waits on the unique index and finds
            # the first's row.
            with transaction.atomic():
                attendance = EventAttendance.objects.create(
                    event=event,
                    enterprise_id=liaison.enterprise_id,
                    liaison=liaison,
                    how=how,
                    invited=_invited(event, liaison),
                    checked_in_at=now,
                )
        except IntegrityError:
            return EventAttendance.objects.get(event=event, liaison=liaison), False
        attendance.contact_attempt = _attended(attendance, liaison=liaison, occurred_at=now)
        attendance.save(update_fields=["contact_attempt"])
    return attendance, True


def _invited(event: Event, liaison: Liaison) -> bool:
    return EventInvitation.objects.filter(event=event, liaison=liaison).exists()


def _attended(
    attendance: EventAttendance, *, liaison: Liaison, occurred_at: datetime.datetime, by=None
) -> ContactAttempt:
    """Being at the event is meeting the liaison: a reached on-site contact."""
    return contact_attempt_record(
        enterprise=liaison.enterprise,
        liaison=liaison,
        channel=ContactAttempt.Channel.VISIT,
        outcome=ContactAttempt.Outcome.REACHED,
        by=by,
        occurred_at=occurred_at,
        note=_("Checked in at the event: %(topic)s") % {"topic": attendance.event.topic},
    )


def door_mobile(value: str) -> str:
    """The mobile typed at the door as the registry writes it; ServiceError if it is none."""
    try:
        return Liaison._meta.get_field("mobile").clean((value or "")[:30], None)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="mobile") from error


def checkin_code_send(*, event: Event, mobile: str) -> SelfServiceLink | None:
    """Identify a liaison at the door by their mobile: a code to it, as self-service sends
    its unlock code (same template, same tries, same lockout). Returns the link the code
    belongs to, or None when no code was sent (no current liaison has this mobile, or their
    link is locked) — the page says the same either way.

    The liaison's open personal link is used if they have one (opening it at the door is
    like opening it from the SMS: a stranger typing their number supersedes nothing);
    otherwise a link is opened here, its token sent nowhere, as an agent's next enterprise
    is (outreach.selfservice.services.agents)."""
    mobile = door_mobile(mobile)
    liaison = (
        Liaison.objects.filter(mobile=mobile, ended_on__isnull=True)
        .exclude(enterprise__status=Enterprise.Status.DEREGISTERED)
        .select_related("enterprise")
        # An agent with several enterprises: the one invited to this event first.
        .annotate(
            invited=Exists(EventInvitation.objects.filter(event=event, liaison=OuterRef("pk")))
        )
        .order_by("-invited", "pk")
        .first()
    )
    if liaison is None:
        return None
    link = _door_link(liaison)
    if link is None:
        return None
    selfservice_code_send(link=link)
    return link


def _door_link(liaison: Liaison) -> SelfServiceLink | None:
    now = clock.now()
    with transaction.atomic():
        # Serialised with a link sent by hand for the same enterprise (selfservice_link_send).
        Enterprise.objects.select_for_update(no_key=True).get(pk=liaison.enterprise_id)
        current = (
            SelfServiceLink.objects.filter(OPEN, liaison=liaison)
            .select_related("enterprise", "liaison")
            .order_by("-created_at", "-pk")
            .first()
        )
        if current is not None:
            state = current.state()
            if state == SelfServiceLink.STATE_OPEN:
                return current
            if state == "locked":
                # Locked after wrong codes: the door is no way around the lockout.
                return None
        SelfServiceLink.objects.filter(OPEN, liaison=liaison).update(superseded_at=now)
        return SelfServiceLink.objects.create(
            enterprise=liaison.enterprise,
            liaison=liaison,
            liaison_version=liaison.version,
            token_hash=token_hash(token_new()),
            expires_at=now + datetime.timedelta(minutes=DOOR_LINK_MINUTES),
        )


# --- Walk-ins -------------------------------------------------------------------------------


def walk_in_register(
    *,
    event: Event,
    name: str,
    mobile: str,
    enterprise_name: str,
    now: datetime.datetime | None = None,
) -> EventAttendance:
    """Someone with no record (or who would rather not use a code) registers as typed;
    staff match them afterwards. The same mobile registering again is the same row."""
    now = now or clock.now()
    checkin_open_check(event, now=now)
    name = (name or "").replace("\x00", "").strip()[:50]
    enterprise_name = (enterprise_name or "").replace("\x00", "").strip()[:200]
    if not name:
        raise ServiceError(_("Enter your name."), field="name", code="required")
    mobile = door_mobile(mobile)
    if not enterprise_name:
        raise ServiceError(
            _("Enter the name of your enterprise."), field="enterprise_name", code="required"
        )
    with transaction.atomic():
        attendance, _created = EventAttendance.objects.get_or_create(
            event=event,
            how=EventAttendance.How.WALK_IN,
            walk_in_mobile=mobile,
            defaults={
                "walk_in_name": name,
                "walk_in_enterprise": enterprise_name,
                "checked_in_at": now,
            },
        )
    return attendance


def walk_in_match(
    *, attendance: EventAttendance, enterprise: Enterprise, by, now: datetime.datetime | None = None
) -> EventAttendance:
    """Staff match a walk-in to an enterprise: its current liaison attended (a reached
    contact at the time they registered, and their invitation counted). If that liaison
    checked in themselves too, the walk-in is marked a duplicate instead."""
    now = now or clock.now()
    with transaction.atomic():
        locked = (
            EventAttendance.objects.select_for_update()
            .select_related("event")
            .get(pk=attendance.pk)
        )
        if locked.how != EventAttendance.How.WALK_IN or locked.resolution:
            raise ServiceError(_("This registration has already been dealt with."))
        liaison = (
            Liaison.objects.select_related("enterprise")
            .filter(enterprise=enterprise, ended_on__isnull=True)
            .first()
        )
        if liaison is None:
            raise ServiceError(
                _("This enterprise has no current liaison: mark the person as a candidate."),
                field="enterprise",
            )
        locked.enterprise = enterprise
        locked.resolved_at, locked.resolved_by = now, by
        if EventAttendance.objects.filter(event=locked.event, liaison=liaison).exists():
            locked.resolution = EventAttendance.Resolution.DUPLICATE
            locked.save(update_fields=["enterprise", "resolution", "resolved_at", "resolved_by"])
            return locked
        locked.liaison = liaison
        locked.invited = _invited(locked.event, liaison)
        locked.resolution = EventAttendance.Resolution.MATCHED
        locked.contact_attempt = _attended(
            locked, liaison=liaison, occurred_at=locked.checked_in_at, by=by
        )
        locked.save(
            update_fields=[
                "enterprise",
                "liaison",
                "invited",
                "resolution",
                "resolved_at",
                "resolved_by",
                "contact_attempt",
            ]
        )
    return locked


def walk_in_candidate(
    *, attendance: EventAttendance, by, now: datetime.datetime | None = None
) -> EventAttendance:
    """Staff mark a walk-in as a new liaison candidate (someone to register, not matched)."""
    now = now or clock.now()
    updated = EventAttendance.objects.filter(
        pk=attendance.pk, how=EventAttendance.How.WALK_IN, resolution=""
    ).update(resolution=EventAttendance.Resolution.CANDIDATE, resolved_at=now, resolved_by=by)
    if not updated:
        raise ServiceError(_("This registration has already been dealt with."))
    attendance.refresh_from_db()
    return attendance


# --- The recognition's "attended an event" --------------------------------------------------


def liaisons_attended(year: int) -> list[int]:
    """The liaisons checked in (or matched) at an event held in ``year`` (the park's year):
    outreach.recognition.services.register_attendance's source."""
    start = clock.start_of_day(datetime.date(year, 1, 1))
    end = clock.start_of_day(datetime.date(year + 1, 1, 1))
    return list(
        EventAttendance.objects.filter(
            liaison__isnull=False, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .values_list("liaison_id", flat=True)
        .distinct()
    )
