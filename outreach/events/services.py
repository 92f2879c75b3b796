"""Writes of events: staff and admins create, edit and invite; liaisons answer. ServiceError
names the field."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.events.models import Event, EventInvitation
from outreach.sql.events import invitations_insert_sql
from registry import clock
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters, enterprise_list

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
    *, event: Event, filters: EnterpriseFilters, by, now: datetime.datetime | None = None
) -> int:
    """Invite the current liaisons of the enterprises ``filters`` selects, as ``by`` sees the
    enterprise list (a grid worker: their grids), deregistered ones left out. Liaisons
    already invited keep their invitation and answer. Returns how many were added."""
    now = now or clock.now()
    if event.starts_at <= now:
        raise ServiceError(_("This event has already started."), field="event")
    chosen_sql, chosen_params = (
        enterprise_list(user=by, filters=filters).order_by().values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            invitations_insert_sql(chosen_sql),
            [event.pk, now, Enterprise.Status.DEREGISTERED, *chosen_params],
        )
        return cursor.rowcount


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
