"""Writes of events: staff and admins create and edit them. ServiceError names the field."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.events.models import Event
from registry import clock

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
