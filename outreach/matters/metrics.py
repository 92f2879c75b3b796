"""The desk's three rates and two times (接诉即办), by month, category, department and grid,
over the matters the user can see: ``matter_metrics_tables`` reads the four dimensions in one
grouped query over the day summary (outreach.sql.matter_metrics: sums the database keeps as
matters move), a fixed cost whatever the number of matters. ``matter_metrics_scan`` is the
same figures counted over the matters themselves: the reference the summary is held equal to
(tests/outreach/matters/test_metrics_summary.py).

- 响应率: matters first responded to (taken on or answered) within their limit, of those
  whose first response was due by now or was given;
- 解决率: answered as resolved, of the answered;
- 满意率: 满意 or 基本满意, of the rated;
- time to first response and to resolution (answered as resolved): averages in hours.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import Coalesce, TruncMonth

from core.replica import read_connection
from outreach.matters.models import Matter
from outreach.matters.selectors import visible_matters
from outreach.sql import matter_metrics as sql
from registry import clock
from registry.access import SEE_EVERYTHING
from registry.roles import Role, user_role

DIMENSIONS = {
    "month": ("month", None),
    "category": ("category_key", "category_label"),
    "department": ("department_id", "department__name"),
    "grid": ("enterprise__grid_id", "enterprise__grid__name"),
}


@dataclass(frozen=True)
class MetricsRow:
    key: object
    label: str
    total: int
    response_due: int
    responded_in_time: int
    answered: int
    resolved: int
    rated: int
    satisfied: int
    response_hours: float | None
    resolution_hours: float | None

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def response_rate(self):
        return self._rate(self.responded_in_time, self.response_due)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved, self.answered)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)


def _hours(value: datetime.timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def matter_metrics_tables(
    *,
    user,
    now: datetime.datetime,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    dimensions: tuple[str, ...] = tuple(DIMENSIONS),
) -> dict[str, list[MetricsRow]]:
    """For each of ``dimensions`` (DIMENSIONS), one row per value over the matters ``user``
    can see received from the day ``since`` to the day ``until`` (both included, park days;
    None: open); a first response is due by ``now``. One query, over the day summary."""
    role = user_role(user)
    tables: dict[str, list[MetricsRow]] = {by: [] for by in dimensions}
    if role not in SEE_EVERYTHING and role != Role.GRID_WORKER:
        return tables
    with read_connection(Matter).cursor() as cursor:
        rows = sql.metrics_grouped(
            cursor,
            dimensions=list(dimensions),
            now=now,
            since=since,
            until=until + datetime.timedelta(days=1) if until else None,
            user_id=None if role in SEE_EVERYTHING else user.pk,
        )
    for by, month, category, department, grid, label, *figures in rows:
        key = {"month": month, "category": category, "department": department, "grid": grid}[by]
        if by == "month":  # the scan's key: the month's first instant, park time
            key = clock.start_of_day(month)
            label = month.strftime("%Y-%m")
        tables[by].append(_summed_row(key, label or "—", figures))
    for rows_of in tables.values():  # the scan's order: by key, none last
        rows_of.sort(key=lambda row: (row.key is None, row.key or 0))
    return tables


def matter_metrics(
    *,
    user,
    by: str,
    now: datetime.datetime,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[MetricsRow]:
    """``matter_metrics_tables`` of one dimension."""
    return matter_metrics_tables(user=user, now=now, since=since, until=until, dimensions=(by,))[by]


def _summed_row(key, label: str, figures: list) -> MetricsRow:
    total, due, in_time, answered, resolved, rated, satisfied, response, resolution = figures
    return MetricsRow(
        key=key,
        label=label,
        total=total,
        response_due=due,
        responded_in_time=in_time,
        answered=answered,
        resolved=resolved,
        rated=rated,
        satisfied=satisfied,
        response_hours=_hours(response),
        resolution_hours=_hours(resolution),
    )


def matter_metrics_scan(
    *,
    user,
    by: str,
    now: datetime.datetime,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> list[MetricsRow]:
    """The reference: one row per value of the dimension ``by`` (DIMENSIONS) counted over
    the matters ``user`` can see, received in [``since``, ``until``); a first response is due
    by ``now``. A scan of every matter (130–360 ms a dimension at 100,000 matters)."""
    key, label = DIMENSIONS[by]
    fields = [key] + ([label] if label else [])
    rows = (
        _matters(user, by=by, since=since, until=until)
        .values(*fields)
        .annotate(**_counts(now))
        .order_by(key)
    )
    return [_row(row, by=by, key=key, label=label) for row in rows]


def _matters(user, *, by: str, since, until):
    """The visible matters of the period, with the dimension's key where it is computed."""
    matters = visible_matters(user)
    if since is not None:
        matters = matters.filter(received_at__gte=since)
    if until is not None:
        matters = matters.filter(received_at__lt=until)
    if by == "month":
        matters = matters.annotate(month=TruncMonth("received_at"))
    if by == "category":
        # Counted under the top of the tree (税务 / 个税 counts as 税务).
        matters = matters.annotate(
            category_key=Coalesce("category__parent_id", "category_id"),
            category_label=Coalesce("category__parent__name", "category__name"),
        )
    return matters


def _counts(now: datetime.datetime) -> dict:
    """The aggregates of one group: the counts behind the three rates, and the two times."""
    responded = Q(first_response_at__isnull=False)
    resolved = Q(answered_at__isnull=False, resolved=True)
    return {
        "n_total": Count("pk"),
        "n_response_due": Count("pk", filter=responded | Q(first_response_due__lte=now)),
        "n_responded_in_time": Count(
            "pk", filter=responded & Q(first_response_at__lte=F("first_response_due"))
        ),
        "n_answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "n_resolved": Count("pk", filter=resolved),
        "n_rated": Count("pk", filter=~Q(satisfaction="")),
        "n_satisfied": Count(
            "pk",
            filter=Q(satisfaction__in=[Matter.Satisfaction.SATISFIED, Matter.Satisfaction.MOSTLY]),
        ),
        "n_response_time": Avg(F("first_response_at") - F("received_at"), filter=responded),
        "n_resolution_time": Avg(F("answered_at") - F("received_at"), filter=resolved),
    }


def _row(row: dict, *, by: str, key: str, label: str | None) -> MetricsRow:
    value = row[key]
    if by == "month":
        label_text = value.strftime("%Y-%m") if value else "—"
    else:  # the label's column, from the dimension's related row
        label_text = row.get(label) or "—"
    return MetricsRow(
        key=value,
        label=label_text,
        total=row["n_total"],
        response_due=row["n_response_due"],
        responded_in_time=row["n_responded_in_time"],
        answered=row["n_answered"],
        resolved=row["n_resolved"],
        rated=row["n_rated"],
        satisfied=row["n_satisfied"],
        response_hours=_hours(row["n_response_time"]),
        resolution_hours=_hours(row["n_resolution_time"]),
    )
