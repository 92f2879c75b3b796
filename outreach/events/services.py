"""Writes of events: staff and admins create, edit and invite; liaisons answer. ServiceError
names the field."""

import dataclasses
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.events.models import Event, EventInvitation
from outreach.messaging import window
from outreach.messaging.defaults import (
    EVENT_INVITATION_TEMPLATE,
    EVENT_REMINDER_TEMPLATE,
    default_template,
)
from outreach.messaging.models import Campaign, MessageTemplate
from outreach.messaging.services import campaign_create, deliver_after_commit
from outreach.sql import events as events_sql
from registry import clock
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters, enterprise_list
from registry.workdays import WorkCalendar

FIELDS = (
    "kind",
    "topic",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "capacity",
    "speaker",
    "materials_note",
)


def _checked(data: dict) -> dict:
    data = {field: data.get(field) for field in FIELDS}
    for field in ("topic", "place", "online_link", "speaker", "materials_note"):
        data[field] = (data[field] or "").replace("\x00", "").strip()
    if not data["topic"]:
        raise ServiceError(_("Enter the topic."), field="topic", code="required")
    if data["starts_at"] is None:
        raise ServiceError(_("Enter the date and time."), field="starts_at", code="required")
    if not data["place"] and not data["online_link"]:
        raise ServiceError(
            _("Enter the place, the online link, or both."), field="place", code="required"
        )
    if data["ends_at"] is not None and data["ends_at"] <= data["starts_at"]:
        raise ServiceError(_("The end must come after the start."), field="ends_at")
    return data


def _saved(event: Event) -> Event:
    try:
        event.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ServiceError(messages[0], field=field) from error
    event.save()
    return event


def event_create(*, by, now: datetime.datetime | None = None, **data) -> Event:
    now = now or clock.now()
    event = Event(**_checked(data), created_by=by, created_at=now, updated_at=now)
    return _saved(event)


def event_update(*, event: Event, by, now: datetime.datetime | None = None, **data) -> Event:
    for field, value in _checked(data).items():
        setattr(event, field, value)
    event.updated_at = now or clock.now()
    return _saved(event)


def event_invite(
    *,
    event: Event,
    filters: EnterpriseFilters,
    by,
    audience: str = "",
    now: datetime.datetime | None = None,
) -> int:
    """Invite the current liaisons of the enterprises ``filters`` selects, as ``by`` sees the
    enterprise list (a grid worker: their grids), deregistered ones left out; ``audience``
    narrows them to the liaisons new this year or those who attended nothing this year
    (``outreach.sql.events``). Liaisons already invited keep their invitation and answer.
    Returns how many were added."""
    now = now or clock.now()
    if event.starts_at <= now:
        raise ServiceError(_("This event has already started."), field="event")
    if audience and audience not in events_sql.AUDIENCES:
        raise ServiceError(_("Choose whom to invite."), field="audience")
    chosen_sql, chosen_params = (
        enterprise_list(user=by, filters=filters).order_by().values("pk").query.sql_with_params()
    )
    first_day, _next = events_sql.year_bounds(clock.today(now))
    narrowed = events_sql.audience_params(
        audience, first_day=first_day, year_start=clock.start_of_day(first_day), now=now
    )
    with connection.cursor() as cursor:
        cursor.execute(
            events_sql.invitations_insert_sql(chosen_sql, audience=audience),
            [event.pk, now, Enterprise.Status.DEREGISTERED, *chosen_params, *narrowed],
        )
        return cursor.rowcount


def event_invitation_campaign_create(*, event: Event, by, now=None) -> Campaign:
    """A draft campaign of the event's invitation SMS (the template
    ``EVENT_INVITATION_TEMPLATE``) to its invitees who have none on its way yet; then the
    campaign's own page previews, tests, confirms (in the sending window) and, above its
    size, has it approved, as for every campaign."""
    now = now or clock.now()
    if event.starts_at <= now:
        raise ServiceError(_("This event has already started."), field="event")
    template = MessageTemplate.objects.filter(key=EVENT_INVITATION_TEMPLATE).first()
    if template is None:
        raise ServiceError(_("The event invitation's message template is missing."))
    return campaign_create(
        name=_("Invitation: %(topic)s") % {"topic": event.topic[:80]},
        kind=Campaign.Kind.EVENT_INVITATION,
        template=template,
        filters=EnterpriseFilters(),
        by=by,
        event=event,
    )


@dataclasses.dataclass(frozen=True)
class RemindersQueued:
    written: int
    queued: int
    send_at: datetime.datetime
    until: datetime.datetime


def reminder_span(
    *, now: datetime.datetime, calendar: WorkCalendar
) -> tuple[datetime.datetime, datetime.datetime]:
    """When the reminders written at ``now`` go out (the sending window's next start) and
    the end of the events they cover: those starting after that moment and before the end of
    the next sending day. On an ordinary day that is tomorrow; on the last working day before
    a weekend or a holiday it is every day up to the next working day, so a Monday's event is
    reminded on Friday, never on the Sunday outside the window."""
    send_at = window.next_start(now, calendar=calendar)
    last = window.next_sending_day(clock.today(send_at), calendar=calendar)
    return send_at, clock.start_of_day(last + datetime.timedelta(days=1))


def event_reminders_queue(
    *, now: datetime.datetime, calendar: WorkCalendar | None = None
) -> RemindersQueued:
    """The reminders the day before (beat, twice a day): one SMS per invitation answered
    参加 or 派同事参加 of the events ``reminder_span`` covers, never twice (the invitation's
    ``reminded_at``, set in the same statement), due at the next start of the sending window.
    Declined and unanswered invitations, liaisons replaced since and deregistered enterprises
    get none. A paused enterprise (suspended, being deregistered: the monitor's pauses) still
    gets it: campaigns and material leave paused enterprises out because the park reaches out
    unasked; a reminder answers the liaison's own 参加, given after the invitation reached them.
    Set-based: one statement (``outreach.sql.events.reminders_write``)."""
    calendar = calendar or WorkCalendar.load()
    send_at, until = reminder_span(now=now, calendar=calendar)
    template = MessageTemplate.objects.filter(key=EVENT_REMINDER_TEMPLATE).first()
    body = template.body if template else default_template(EVENT_REMINDER_TEMPLATE)["body"]
    with transaction.atomic(), connection.cursor() as cursor:
        written, queued = events_sql.reminders_write(
            cursor,
            after=send_at,
            before=until,
            body=body,
            template_id=template.pk if template else None,
            send_at=send_at,
            now=now,
            time_zone=settings.TIME_ZONE,
        )
        if queued and send_at <= now:
            deliver_after_commit()
    return RemindersQueued(written=written, queued=queued, send_at=send_at, until=until)


def invitation_answer(
    *,
    invitation: EventInvitation,
    answer: str,
    delegate_name: str = "",
    now: datetime.datetime | None = None,
) -> EventInvitation:
    """The liaison's answer (they may change it until the event starts)."""
    now = now or clock.now()
    if answer not in EventInvitation.Answer.values:
        raise ServiceError(_("Choose your answer."), field="answer")
    delegate_name = (delegate_name or "").replace("\x00", "").strip()
    if answer == EventInvitation.Answer.DELEGATE and not delegate_name:
        raise ServiceError(_("Enter the name of the colleague who comes."), field="delegate_name")
    if invitation.event.starts_at <= now:
        raise ServiceError(_("This event has already started."), field="answer")
    invitation.answer = answer
    invitation.delegate_name = delegate_name if answer == EventInvitation.Answer.DELEGATE else ""
    invitation.answered_at = now
    invitation.save(update_fields=["answer", "delegate_name", "answered_at"])
    return invitation
