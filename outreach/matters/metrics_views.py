"""The metrics page: the three rates and two times by month, category, department and grid
(a table per dimension, charts by month and by the chosen dimension), and its export. Grid
workers see their scope (visible_matters), auditors read; no personal data is shown."""

import datetime
import io
from dataclasses import dataclass

from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.addresses import client_address
from core.replica import reads_from_replica
from outreach.matters.metrics import MetricsRow, matter_metrics_tables
from outreach.matters.metrics_charts import Series, bar_chart, line_chart
from outreach.matters.metrics_export import metrics_export
from registry import clock
from registry.access import require
from registry.roles import user_role

TITLES = {
    "month": gettext_lazy("By month"),
    "category": gettext_lazy("By category"),
    "department": gettext_lazy("By department"),
    "grid": gettext_lazy("By grid area"),
}
# The dimensions a user may chart beside the months.
CHART_DIMENSIONS = ("category", "department", "grid")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class MetricsQuery:
    """The page's filters as typed: the days of intake (both included; None: open) and the
    dimension charted beside the months."""

    since: datetime.date | None
    until: datetime.date | None
    by: str
    errors: dict


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _query(request) -> MetricsQuery:
    raw_since, raw_until = request.GET.get("since", ""), request.GET.get("until", "")
    since, until = _date(raw_since), _date(raw_until)
    by = request.GET.get("by") or "category"
    errors = {}
    if raw_since and since is None:
        errors["since"] = _("Enter a date like 2026-01-31.")
    if raw_until and until is None:
        errors["until"] = _("Enter a date like 2026-01-31.")
    if since and until and until < since:
        errors["until"] = _("The end of the period comes before its start.")
    if by not in CHART_DIMENSIONS:
        errors["by"] = _("Choose a category, department or grid area.")
        by = "category"
    return MetricsQuery(since=since, until=until, by=by, errors=errors)


def _tables(request, query: MetricsQuery) -> list[tuple[str, str, list[MetricsRow]]]:
    """The four dimensions, in one query over the day summary (days ``since`` to ``until``
    included)."""
    tables = matter_metrics_tables(
        user=request.user, now=clock.now(), since=query.since, until=query.until
    )
    return [(key, title, tables[key]) for key, title in TITLES.items()]


def _charts(rows: list[MetricsRow], *, by: str, draw) -> dict:
    """The rates and the times of ``rows``, drawn by ``draw`` (a line or bar chart)."""
    labels = [row.label for row in rows]
    dimension = str(TITLES[by])
    rates = [
        Series(_("Response rate"), [row.response_rate for row in rows]),
        Series(_("Resolution rate"), [row.resolution_rate for row in rows]),
        Series(_("Satisfaction rate"), [row.satisfaction_rate for row in rows]),
    ]
    times = [
        Series(_("Hours to first response"), [row.response_hours for row in rows]),
        Series(_("Hours to resolution"), [row.resolution_hours for row in rows]),
    ]
    return {
        "rates": draw(
            labels=labels,
            series=rates,
            unit="%",
            title=_("Response, resolution and satisfaction rates · %(dimension)s")
            % {"dimension": dimension},
            testid=f"chart-rates-{by}",
        ),
        "times": draw(
            labels=labels,
            series=times,
            unit="h",
            title=_("Hours to first response and to resolution · %(dimension)s")
            % {"dimension": dimension},
            testid=f"chart-times-{by}",
        ),
    }


@require_GET
@reads_from_replica()
def metrics_page(request):
    require(user_role(request.user) is not None)
    query = _query(request)
    tables = _tables(request, query)
    rows = {key: table_rows for key, _title, table_rows in tables}
    return render(
        request,
        "outreach/matters/metrics.html",
        {
            "tables": tables,
            "since": query.since,
            "until": query.until,
            "by": query.by,
            "dimensions": [(key, TITLES[key]) for key in CHART_DIMENSIONS],
            "errors": query.errors,
            "month_charts": _charts(rows["month"], by="month", draw=line_chart),
            "by_charts": _charts(rows[query.by], by=query.by, draw=bar_chart),
        },
        status=400 if query.errors else 200,
    )


@require_GET
@reads_from_replica()
def metrics_export_download(request):
    """The page's four tables as a spreadsheet (``format`` xlsx or csv), for the same period
    and the same scope; a bad period is a 400 naming the field, as on the page."""
    require(user_role(request.user) is not None)
    query = _query(request)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if query.errors:  # the page again, with its messages
        return metrics_page(request)
    buffer = io.BytesIO()
    metrics_export(
        out=buffer,
        fmt=fmt,
        tables=[(str(title), rows) for _key, title, rows in _tables(request, query)],
        user=request.user,
        period=(query.since, query.until),
        ip_address=client_address(request),
    )
    buffer.seek(0)
    stamp = clock.local().strftime("%Y%m%d-%H%M")
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"matter-metrics-{stamp}.{fmt}",
        content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
    )
