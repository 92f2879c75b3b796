"""The metrics page: the three rates and two times by month, category, department and grid
(a table per dimension; grid workers see their scope, auditors read)."""

import datetime

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from outreach.matters.metrics import matter_metrics
from registry import clock
from registry.access import require
from registry.roles import user_role

TITLES = {
    "month": _("By month"),
    "category": _("By category"),
    "department": _("By department"),
    "grid": _("By grid area"),
}


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def metrics_page(request):
    require(user_role(request.user) is not None)
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    errors = {}
    if request.GET.get("since") and since is None:
        errors["since"] = _("Enter a date like 2026-01-31.")
    if request.GET.get("until") and until is None:
        errors["until"] = _("Enter a date like 2026-01-31.")
    now = clock.now()
    tables = [
        (
            key,
            title,
            matter_metrics(
                user=request.user,
                by=key,
                now=now,
                since=clock.start_of_day(since) if since else None,
                until=clock.start_of_day(until + datetime.timedelta(days=1)) if until else None,
            ),
        )
        for key, title in TITLES.items()
    ]
    return render(
        request,
        "outreach/matters/metrics.html",
        {"tables": tables, "since": since, "until": until, "errors": errors},
        status=400 if errors else 200,
    )
