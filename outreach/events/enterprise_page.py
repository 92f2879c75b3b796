"""The events' part of the enterprise page: each liaison's events — invited, answered,
attended (registered from events_ready)."""

from django.template.loader import render_to_string

from outreach.events.door_selectors import enterprise_events


def events_panel(request, enterprise) -> str:
    rows = enterprise_events(enterprise=enterprise)
    if not rows:
        return ""
    return render_to_string(
        "outreach/events/_enterprise_panel.html", {"rows": rows}, request=request
    )
