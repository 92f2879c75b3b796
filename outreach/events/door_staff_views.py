"""Staff's side of the door: the check-in QR (a screen at the door, or printed), its
rotation, the attendance list with no-shows and walk-ins to match, and its export."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.addresses import client_address
from core.errors import ServiceError
from outreach.events import door
from outreach.events.door_export import attendance_export
from outreach.events.door_models import EventAttendance
from outreach.events.door_selectors import (
    can_read_attendance,
    can_work_attendance,
    event_door,
    walk_in_suggestions,
)
from outreach.events.models import Event
from outreach.events.selectors import can_edit_events
from registry import clock
from registry.access import require, visible_enterprises
from registry.masking import masked


def checkin_url(code: str) -> str:
    """The address in the QR: the liaisons' base address (the one their links use)."""
    return settings.SELF_SERVICE_BASE_URL.rstrip("/") + reverse("selfservice:checkin", args=[code])


@require_GET
def event_checkin_screen(request, pk):
    """The QR, large, for a screen at the door; prints on one page (the print styles)."""
    require(can_edit_events(request.user))
    event = get_object_or_404(Event, pk=pk)
    url = checkin_url(door.checkin_code_for(event=event, by=request.user))
    first, last = door.checkin_days(event)
    return render(
        request,
        "outreach/events/checkin_screen.html",
        {
            "event": event,
            "url": url,
            # No size: a viewBox, so the page's styles size it for the screen or the paper.
            "qr_svg": segno.make(url, error="m").svg_inline(
                border=2, omitsize=True, light="#fff", title=event.topic
            ),
            "first_day": first,
            "last_day": last,
            "print": "print" in request.GET,
        },
    )


@require_POST
def event_checkin_rotate(request, pk):
    require(can_edit_events(request.user))
    event = get_object_or_404(Event, pk=pk)
    door.checkin_code_rotate(event=event, by=request.user)
    messages.success(request, _("A new check-in code was made; the old QR no longer works."))
    return redirect("outreach:events:checkin", pk=event.pk)


@require_GET
def event_attendance_page(request, pk):
    require(can_read_attendance(request.user))
    event = get_object_or_404(Event, pk=pk)
    state = event_door(event=event, now=clock.now())
    suggestions = walk_in_suggestions(state.to_match)
    to_match = [
        {
            "row": row,
            # Masked on the page like every phone; matching goes by the suggestion.
            "mobile": masked("eventattendance", "walk_in_mobile", row.walk_in_mobile),
            "suggested": suggestions.get(row.pk),
        }
        for row in state.to_match
    ]
    return render(
        request,
        "outreach/events/attendance.html",
        {
            "event": event,
            "door": state,
            "to_match": to_match,
            "resolved": [
                {
                    "row": row,
                    "mobile": masked("eventattendance", "walk_in_mobile", row.walk_in_mobile),
                }
                for row in state.resolved_walk_ins
            ],
            "can_work": can_work_attendance(request.user),
        },
    )


@require_GET
def event_attendance_export(request, pk):
    require(can_read_attendance(request.user))
    event = get_object_or_404(Event, pk=pk)
    out = io.BytesIO()
    attendance_export(
        event=event,
        out=out,
        user=request.user,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = clock.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="attendance-{event.pk}-{stamp}.xlsx"'
    return response


def _enterprise(user, typed: str):
    try:
        # The credit code's field normalises (and checks) what is typed, as in every lookup.
        return visible_enterprises(user).filter(uscc=typed.strip()).first()
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="uscc") from error


@require_POST
def attendance_resolve(request, pk):
    """A walk-in matched to an enterprise (by its credit code) or marked a candidate."""
    require(can_work_attendance(request.user))
    attendance = get_object_or_404(EventAttendance, pk=pk, how=EventAttendance.How.WALK_IN)
    action = request.POST.get("action", "")
    try:
        if action == "match":
            enterprise = _enterprise(request.user, request.POST.get("uscc", "")[:40])
            if enterprise is None:
                raise ServiceError(_("No enterprise has this credit code."), field="uscc")
            door.walk_in_match(attendance=attendance, enterprise=enterprise, by=request.user)
        elif action == "candidate":
            door.walk_in_candidate(attendance=attendance, by=request.user)
        else:
            raise ServiceError(_("Choose what to do with this registration."))
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Registration dealt with."))
    return redirect("outreach:events:attendance", pk=attendance.event_id)
