"""Reads of the door: who came to an event, who was invited and did not, the walk-ins to
match; each liaison's events on the enterprise page; who may read and work them."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Exists, OuterRef, QuerySet

from outreach.events.door import checkin_days
from outreach.events.door_models import EventAttendance
from outreach.events.models import Event, EventInvitation
from registry import clock
from registry.models import Enterprise, Liaison

READ_PERMISSION = "outreach.view_eventattendance"
WORK_PERMISSION = "outreach.change_eventattendance"


def can_read_attendance(user) -> bool:
    return user.is_authenticated and user.has_perm(READ_PERMISSION)


def can_work_attendance(user) -> bool:
    return user.is_authenticated and user.has_perm(WORK_PERMISSION)


def event_over(event: Event, *, now: datetime.datetime) -> bool:
    """After the event: its end, or the end of its (last) day without one. Only then is an
    invited liaison who did not come a no-show."""
    if event.ends_at is not None:
        return now >= event.ends_at
    return clock.today(now) > checkin_days(event)[1]


@dataclasses.dataclass(frozen=True)
class EventDoor:
    attended: list[EventAttendance]  # liaisons checked in, and walk-ins matched to one
    to_match: list[EventAttendance]  # walk-ins not dealt with yet
    resolved_walk_ins: list[EventAttendance]  # candidates and duplicates
    no_shows: list[EventInvitation]  # invited, not come (only once the event is over)
    over: bool


def event_door(*, event: Event, now: datetime.datetime) -> EventDoor:
    rows = list(
        EventAttendance.objects.filter(event=event)
        .select_related("enterprise", "liaison")
        .order_by("checked_in_at", "pk")
    )
    over = event_over(event, now=now)
    no_shows = []
    if over:
        no_shows = list(
            event.invitations.select_related("enterprise", "liaison")
            .exclude(
                Exists(EventAttendance.objects.filter(event=event, liaison=OuterRef("liaison_id")))
            )
            .order_by("enterprise__name", "pk")
        )
    return EventDoor(
        attended=[row for row in rows if row.liaison_id is not None],
        to_match=[row for row in rows if row.to_match],
        resolved_walk_ins=[
            row for row in rows if row.liaison_id is None and row.resolution and not row.to_match
        ],
        no_shows=no_shows,
        over=over,
    )


def walk_in_suggestions(rows: list[EventAttendance]) -> dict[int, Enterprise]:
    """For staff matching walk-ins: the enterprise whose current liaison has the mobile the
    walk-in gave (staff decide; the door itself never says whether a number is on file)."""
    mobiles = {row.walk_in_mobile for row in rows if row.walk_in_mobile}
    if not mobiles:
        return {}
    by_mobile = {
        liaison.mobile: liaison.enterprise
        for liaison in Liaison.objects.filter(mobile__in=mobiles, ended_on__isnull=True)
        .select_related("enterprise")
        .order_by("-pk")
    }
    return {
        row.pk: by_mobile[row.walk_in_mobile] for row in rows if row.walk_in_mobile in by_mobile
    }


@dataclasses.dataclass(frozen=True)
class LiaisonEvent:
    event: Event
    liaison: Liaison
    invitation: EventInvitation | None
    attendance: EventAttendance | None


def enterprise_events(*, enterprise: Enterprise, limit: int = 50) -> list[LiaisonEvent]:
    """The events of the enterprise's liaisons (past ones too): invited, answered, attended;
    latest event first."""
    invitations = {
        (row.event_id, row.liaison_id): row
        for row in EventInvitation.objects.filter(enterprise=enterprise).select_related(
            "event", "liaison"
        )
    }
    attendances = {
        (row.event_id, row.liaison_id): row
        for row in EventAttendance.objects.filter(
            enterprise=enterprise, liaison__isnull=False
        ).select_related("event", "liaison")
    }
    rows = []
    for key in invitations.keys() | attendances.keys():
        invitation, attendance = invitations.get(key), attendances.get(key)
        source = invitation or attendance
        rows.append(LiaisonEvent(source.event, source.liaison, invitation, attendance))
    rows.sort(key=lambda row: (row.event.starts_at, row.event.pk), reverse=True)
    return rows[:limit]


def attendance_rows(*, event: Event) -> QuerySet[EventAttendance]:
    return (
        EventAttendance.objects.filter(event=event)
        .select_related("enterprise", "liaison")
        .order_by("checked_in_at", "pk")
    )
