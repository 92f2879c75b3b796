"""The log of sensitive views: read by auditors and park admins (others 403), filtered, and
exported as a file (itself logged as an export of the log)."""

import io

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.addresses import client_address
from registry import clock, services
from registry.access import require
from registry.import_views import XLSX
from registry.models import SensitiveView
from registry.sensitive_log import (
    LogFilters,
    can_read_log,
    field_choices,
    log_export,
    log_list,
    log_rows,
    log_users,
)

PAGE_SIZE = 100


@require_GET
def sensitive_view_log(request):
    require(can_read_log(request.user))
    filters = LogFilters.from_query(request.GET)
    page = Paginator(log_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/sensitive_views.html",
        {
            "page": page,
            "rows": log_rows(page.object_list),
            "filters": filters,
            "query": query.urlencode(),
            "users": log_users(),
            "fields": field_choices(),
            "channels": SensitiveView.Channel.choices,
        },
    )


@require_GET
def sensitive_view_log_export(request):
    require(can_read_log(request.user))
    filters = LogFilters.from_query(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    buffer = io.BytesIO()
    count = log_export(filters=filters, fmt=fmt, out=buffer)
    services.sensitive_log_export_record(
        by=request.user,
        rows=count,
        fmt=fmt,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    buffer.seek(0)
    stamp = clock.local().strftime("%Y%m%d-%H%M")
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"sensitive-views-{stamp}.{fmt}",
        content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
    )
