"""An event's attendance as a spreadsheet (xlsx), in the style of the registry's export
(registry/spreadsheet/exporting.py): one row per person — checked in, walk-in, no-show —
mobiles masked unless the user may see them in full; an export that shows any in full is
logged as a SensitiveView, and every export in the security log."""

from __future__ import annotations

import datetime
from typing import IO

from django.utils.translation import gettext as _

from outreach.events.door_selectors import event_door
from outreach.events.models import Event
from registry import clock, masking
from registry.models import SecurityEvent, SensitiveView
from registry.security_log import security_event_record
from registry.spreadsheet.columns import neutralise

WALK_IN_KIND = "eventattendance"


def _headers() -> list[str]:
    return [
        _("Status"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Liaison"),
        _("Mobile"),
        _("Invited"),
        _("Answer"),
        _("Checked in by"),
        _("Checked in at"),
        _("Name given"),
        _("Enterprise given"),
        _("Resolution"),
    ]


def _when(at: datetime.datetime | None) -> str:
    return clock.local(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def attendance_export(
    *, event: Event, out: IO, user, ip_address: str | None = None, user_agent: str = ""
) -> int:
    from openpyxl import Workbook

    full_liaison = masking.may_unmask(user, "liaison", "mobile")
    full_walk_in = masking.may_unmask(user, WALK_IN_KIND, "walk_in_mobile")

    def liaison_mobile(value: str) -> str:
        return value if full_liaison else masking.masked("liaison", "mobile", value)

    def walk_in_mobile(value: str) -> str:
        return value if full_walk_in else masking.masked(WALK_IN_KIND, "walk_in_mobile", value)

    door = event_door(event=event, now=clock.now())
    answers = {
        invitation.liaison_id: invitation.get_answer_display()
        for invitation in event.invitations.all()
    }
    rows: list[list[str]] = []
    for row in door.attended:
        rows.append(
            [
                _("Checked in"),
                row.enterprise.name,
                row.enterprise.uscc,
                row.liaison.name,
                liaison_mobile(row.liaison.mobile),
                _yes(row.invited),
                answers.get(row.liaison_id, ""),
                row.get_how_display(),
                _when(row.checked_in_at),
                row.walk_in_name,
                row.walk_in_enterprise,
                row.get_resolution_display() if row.resolution else "",
            ]
        )
    for row in [*door.to_match, *door.resolved_walk_ins]:
        rows.append(
            [
                _("Walk-in to match") if row.to_match else _("Walk-in"),
                row.enterprise.name if row.enterprise else "",
                row.enterprise.uscc if row.enterprise else "",
                "",
                walk_in_mobile(row.walk_in_mobile),
                "",
                "",
                row.get_how_display(),
                _when(row.checked_in_at),
                row.walk_in_name,
                row.walk_in_enterprise,
                row.get_resolution_display() if row.resolution else "",
            ]
        )
    for invitation in door.no_shows:
        rows.append(
            [
                _("Did not come"),
                invitation.enterprise.name,
                invitation.enterprise.uscc,
                invitation.liaison.name,
                liaison_mobile(invitation.liaison.mobile),
                _yes(True),
                invitation.get_answer_display(),
                "",
                "",
                "",
                "",
                "",
            ]
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Attendance")[:31])
    sheet.append(_headers())
    for values in rows:
        sheet.append([neutralise(value or "") for value in values])
    workbook.save(out)
    _log(
        event,
        user=user,
        count=len(rows),
        shown=_shown(full_liaison, full_walk_in, rows),
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return len(rows)


def _shown(full_liaison: bool, full_walk_in: bool, rows: list) -> list[str]:
    shown = []
    if full_liaison:
        shown.append("liaison.mobile")
    if full_walk_in:
        shown.append(f"{WALK_IN_KIND}.walk_in_mobile")
    return shown if rows else []


def _log(event, *, user, count, shown, ip_address, user_agent) -> None:
    if shown:
        SensitiveView.objects.create(
            user=user,
            enterprise=None,
            record="event-attendance",
            record_id=str(event.pk),
            fields=shown,
            detail=_("xlsx, %(count)s rows") % {"count": count},
            channel=SensitiveView.Channel.EXPORT,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300],
        )
    security_event_record(
        action=SecurityEvent.Action.EXPORT,
        at=clock.now(),
        by=user,
        address=ip_address,
        target=f"event:{event.pk}",
        detail={"what": "event-attendance", "format": "xlsx", "rows": count, "unmasked": shown},
    )
