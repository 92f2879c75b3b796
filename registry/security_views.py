"""The security log's page and its export, for admins and auditors (registry.access
``can_read_security_log``). Thin: parse the filters, call the selector, render."""

import csv
import datetime
import io

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from registry import clock
from registry.access import can_read_security_log, require
from registry.models import SecurityEvent
from registry.security_log import security_event_details, security_event_record
from registry.selectors import SecurityLogFilters, security_events
from registry.spreadsheet.columns import neutralise

PAGE_SIZE = 100


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def _filters(request) -> SecurityLogFilters:
    get = request.GET
    action = get.get("action", "")
    return SecurityLogFilters(
        who=get.get("who", "").strip()[:150],
        action=action if action in SecurityEvent.Action.values else "",
        since=_date(get.get("since", "")),
        until=_date(get.get("until", "")),
    )


@require_GET
def security_log(request):
    require(can_read_security_log(request.user))
    filters = _filters(request)
    page = Paginator(security_events(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.details = security_event_details(event)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/security_log.html",
        {
            "page": page,
            "filters": filters,
            "actions": SecurityEvent.Action.choices,
            "query": query.urlencode(),
            "keep_days": settings.SECURITY_LOG_KEEP_DAYS,
        },
    )


@require_GET
def security_log_export(request):
    """The filtered log as CSV (UTF-8 with BOM, as Excel expects); the export is itself
    logged."""
    require(can_read_security_log(request.user))
    filters = _filters(request)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [_("When"), _("What"), _("Account"), _("From address"), _("Concerning"), _("Details")]
    )
    rows = 0
    for event in security_events(filters=filters).iterator(chunk_size=2000):
        writer.writerow(
            [
                neutralise(value)
                for value in (
                    clock.local(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                    str(event.get_action_display()),
                    event.username,
                    event.address or "",
                    event.target,
                    security_event_details(event),
                )
            ]
        )
        rows += 1
    security_event_record(
        action=SecurityEvent.Action.EXPORT,
        at=clock.now(),
        by=request.user,
        target="security-log",
        detail={
            "what": "security_log",
            "format": "csv",
            "rows": rows,
            "filters": {
                "who": filters.who,
                "action": filters.action,
                "since": filters.since.isoformat() if filters.since else "",
                "until": filters.until.isoformat() if filters.until else "",
            },
        },
    )
    stamp = clock.local().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="security-log-{stamp}.csv"'
    return response
