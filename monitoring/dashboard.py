"""The dashboard (the home page's first card): the lights, the loss-of-contact rate (失联率 = red
÷ active enterprises) and its trend, how long enterprises stay red, open and overdue tasks
per grid worker and per grid, open and overdue matters of the first-contact desk. Every
figure starts from ``visible_enterprises(user)`` (the matters: ``visible_matters``): a grid
worker sees their grids only; auditors see everything, read-only (there is nothing to edit).

A bounded number of small queries, none per row, so it stays fast at 100,000 enterprises
(issue 22): the lights, the trend, the red ages and the red-spell average read the sums per
grid and day or month that database triggers keep as lights and enterprises change
(monitoring.sql.dashboard_summary). ``dashboard_scan`` computes the same from the raw tables
(the trend sums the changes of light per month, a change into red adding one red enterprise
and a change out of red removing one: monitoring.sql.dashboard); it is the reference the
sums are tested against.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.replica import read_connection
from monitoring.light import Light
from monitoring.models import ContactHealth, RuleSettings
from monitoring.sql import dashboard as sql
from monitoring.sql import dashboard_summary as summary
from outreach.matters.selectors import open_matter_counts
from outreach.models import Task
from registry import clock
from registry.access import SEE_EVERYTHING, visible_enterprises, visible_grid_areas
from registry.models import Enterprise, GridArea
from registry.roles import Role, user_role
from registry.workdays import WorkCalendar, years_to_check

MONTHS = 12
# How long the enterprises red now have been red.
RED_AGE_BUCKETS = ((7, "week"), (30, "month"), (90, "quarter"), (None, "longer"))


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date  # the first day of the month
    red: int
    active: int

    @property
    def rate(self) -> float:
        return self.red / self.active if self.active else 0.0


@dataclass(frozen=True)
class TaskLoad:
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class BuildingAttention:
    """A building with several red or yellow enterprises (房东联络群: ask its landlord)."""

    pk: int
    name: str
    red: int
    yellow: int


@dataclass(frozen=True)
class Dashboard:
    active: int
    green: int
    yellow: int
    red: int
    trend: list[MonthPoint]
    red_ages: dict[str, int]
    red_days_average: float | None  # of red spells that ended in the last 12 months
    by_worker: list[TaskLoad]
    by_grid: list[TaskLoad]
    # The first-contact desk's matters not closed, and those of them overdue.
    matters_open: int = 0
    matters_overdue: int = 0
    # Buildings with at least RuleSettings.building_attention_count red or yellow enterprises.
    buildings: list[BuildingAttention] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.red / self.active if self.active else 0.0


def _active(user):
    return visible_enterprises(user).exclude(status=Enterprise.Status.DEREGISTERED)


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the last ``MONTHS`` calendar months, this one last."""
    return [clock.add_months(today, -back) for back in range(MONTHS - 1, -1, -1)]


def _scope_sql(user) -> tuple[str, list]:
    """SQL for the ids of the active enterprises the user may see."""
    sql, params = _active(user).values("pk").query.sql_with_params()
    return sql, list(params)


def _trend(user, today: datetime.date) -> list[MonthPoint]:
    months = _months(today)
    # The end of each month (the current one: now) in the park's time zone.
    zone = timezone.get_current_timezone()
    ends = [
        datetime.datetime.combine(
            months[i + 1] if i + 1 < len(months) else today + datetime.timedelta(days=1),
            datetime.time.min,
            tzinfo=zone,
        )
        for i in range(len(months))
    ]
    with read_connection(ContactHealth).cursor() as cursor:
        reds = sql.reds_at(cursor, ends=ends, scope=_scope_sql(user))
    active = _active(user).aggregate(
        **{f"m{i}": Count("pk", filter=Q(created_at__lt=end)) for i, end in enumerate(ends)}
    )
    return [
        MonthPoint(month=month, red=reds[i], active=active[f"m{i}"])
        for i, month in enumerate(months)
    ]


def _red_ages(user, now: datetime.datetime) -> dict[str, int]:
    reds = ContactHealth.objects.filter(light=Light.RED, enterprise__in=_active(user).values("pk"))
    filters, lower = {}, None
    for days, name in RED_AGE_BUCKETS:
        window = Q()
        if lower is not None:
            window &= Q(light_since__lte=now - datetime.timedelta(days=lower))
        if days is not None:
            window &= Q(light_since__gt=now - datetime.timedelta(days=days))
        filters[name] = Count("pk", filter=window)
        lower = days
    return reds.aggregate(**filters)


def _red_days_average(user, now: datetime.datetime) -> float | None:
    # The last twelve calendar months, from this day a year ago in the park.
    since = clock.start_of_day(clock.months_back(clock.today(now), 12))
    with read_connection(ContactHealth).cursor() as cursor:
        return sql.red_days_average(cursor, since=since, scope=_scope_sql(user))


def _task_loads(user, today: datetime.date) -> list[tuple[int | None, int | None, int, int]]:
    """(grid, assignee, open, overdue) of the open tasks, from the raw tables."""
    tasks = Task.objects.filter(
        status=Task.Status.OPEN, enterprise__in=visible_enterprises(user).values("pk")
    )
    rows = tasks.values("enterprise__grid", "assignee").annotate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return [(r["enterprise__grid"], r["assignee"], r["open"], r["overdue"]) for r in rows]


def _loads(rows) -> tuple[list[TaskLoad], list[TaskLoad]]:
    """The load per worker and per grid from (grid, assignee, open, overdue) rows."""
    per_worker: dict = {}
    per_grid: dict = {}
    for grid, assignee, open_count, overdue in rows:
        for totals, key in ((per_worker, assignee), (per_grid, grid)):
            was = totals.get(key, (0, 0))
            totals[key] = (was[0] + open_count, was[1] + overdue)
    users = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(pk__in=[k for k in per_worker if k])
    }
    by_worker = [
        TaskLoad(
            # No assignee: the service staff's pool.
            name=users[assignee] if assignee else _("Service staff pool"),
            open=open_count,
            overdue=overdue,
        )
        for assignee, (open_count, overdue) in per_worker.items()
    ]
    grids = dict(GridArea.objects.values_list("pk", "name")) if per_grid else {}
    by_grid = [
        TaskLoad(name=grids.get(grid, "—"), open=open_count, overdue=overdue)
        for grid, (open_count, overdue) in per_grid.items()
    ]
    by_worker.sort(key=lambda load: (-load.overdue, -load.open, load.name))
    by_grid.sort(key=lambda load: (-load.overdue, -load.open, load.name))
    return by_worker, by_grid


BUILDINGS_SHOWN = 10


def buildings_needing_attention(*, user, at_least: int) -> list[BuildingAttention]:
    """The buildings with at least ``at_least`` red or yellow enterprises among those the
    user may see (a grid worker: their grids'), most red first; one aggregate query."""
    rows = (
        _active(user)
        .filter(building__isnull=False, health__light__in=[Light.RED, Light.YELLOW])
        .values("building", "building__name")
        .annotate(
            red=Count("pk", filter=Q(health__light=Light.RED)),
            yellow=Count("pk", filter=Q(health__light=Light.YELLOW)),
            both=Count("pk"),
        )
        .filter(both__gte=at_least)
        .order_by("-red", "-both", "building__name")[:BUILDINGS_SHOWN]
    )
    return [
        BuildingAttention(
            pk=row["building"], name=row["building__name"], red=row["red"], yellow=row["yellow"]
        )
        for row in rows
    ]


def _grid_scope(user) -> list[int] | None:
    """The grids whose sums the user reads: None for every enterprise (with or without a
    grid), a grid worker's own grids (registry.access.visible_enterprises), else none."""
    role = user_role(user)
    if role in SEE_EVERYTHING:
        return None
    if role == Role.GRID_WORKER:
        return list(visible_grid_areas(user).values_list("pk", flat=True))
    return []


def _summed(user, now: datetime.datetime) -> dict:
    """The lights, the trend, the red ages and the red-spell average from the sums the
    triggers keep (monitoring.sql.dashboard_summary): a few small reads, none of them over
    the enterprises or every change of light."""
    today = clock.today(now)
    grids = _grid_scope(user)
    months = _months(today)
    bounds = [now - datetime.timedelta(days=days) for days, _name in RED_AGE_BUCKETS if days]
    since = clock.months_back(today, 12)
    with read_connection(ContactHealth).cursor() as cursor:
        sums = summary.figures(
            cursor, months=months, today=today, bounds=bounds, since=since, grids=grids
        )
        tasks = summary.task_loads(cursor, today=today, grids=grids)
        buildings = summary.buildings(
            cursor,
            at_least=RuleSettings.current().building_attention_count,
            limit=BUILDINGS_SHOWN,
            grids=grids,
        )
    # red_after[i]: red since after the i-th bound; the buckets lie between consecutive
    # bounds, the oldest between the last bound and every red with a known start.
    ages, newer = {}, 0
    active, yellow, red = sums["lights"]
    for (_days, name), count in zip(
        RED_AGE_BUCKETS, [*sums["red_after"], sums["red_known"]], strict=True
    ):
        ages[name] = count - newer
        newer = count
    return {
        "active": active,
        "yellow": yellow,
        "red": red,
        "trend": [
            MonthPoint(month=month, red=red_at, active=active_at)
            for month, (red_at, active_at) in zip(months, sums["trend"], strict=True)
        ],
        "red_ages": ages,
        "red_days_average": sums["red_days_average"],
        "tasks": tasks,
        "buildings": [
            BuildingAttention(pk=pk, name=name, red=reds, yellow=yellows)
            for pk, name, reds, yellows in buildings
        ],
    }


def _scanned(user, now: datetime.datetime) -> dict:
    """The same figures from the raw tables: the reference the sums are held equal to."""
    today = clock.today(now)
    counts = _active(user).aggregate(
        active=Count("pk"),
        yellow=Count("pk", filter=Q(health__light=Light.YELLOW)),
        red=Count("pk", filter=Q(health__light=Light.RED)),
    )
    return {
        **counts,
        "trend": _trend(user, today),
        "red_ages": _red_ages(user, now),
        "red_days_average": _red_days_average(user, now),
        "tasks": _task_loads(user, today),
        "buildings": buildings_needing_attention(
            user=user, at_least=RuleSettings.current().building_attention_count
        ),
    }


def _dashboard(user, now: datetime.datetime, figures: dict) -> Dashboard:
    by_worker, by_grid = _loads(figures["tasks"])
    # visible_matters is the matters' grid scoping: a grid worker's grids, and what is routed
    # to them or their department (the list the tiles link to shows the same matters).
    matters = open_matter_counts(user=user)
    return Dashboard(
        active=figures["active"],
        green=figures["active"] - figures["yellow"] - figures["red"],
        yellow=figures["yellow"],
        red=figures["red"],
        trend=figures["trend"],
        red_ages=figures["red_ages"],
        red_days_average=figures["red_days_average"],
        by_worker=by_worker,
        by_grid=by_grid,
        matters_open=matters["open"],
        matters_overdue=matters["overdue"],
        buildings=figures["buildings"],
    )


def dashboard_for(*, user, now: datetime.datetime | None = None) -> Dashboard:
    now = now or clock.now()
    return _dashboard(user, now, _summed(user, now))


def dashboard_scan(*, user, now: datetime.datetime | None = None) -> Dashboard:
    """The dashboard recomputed from the raw tables (the reference of ``dashboard_for``,
    and the bench's "before")."""
    now = now or clock.now()
    return _dashboard(user, now, _scanned(user, now))


def holidays_missing(*, today: datetime.date) -> list[int]:
    """The years that should have their holidays by ``today`` (this one; from 1 November the
    next one too) and have them neither entered by an admin nor in the package."""
    return WorkCalendar.load().missing_years(years_to_check(today))


def sms_attention() -> dict:
    """Campaigns the SMS provider stopped, templates it would refuse (no approved code)."""
    from outreach.messaging.refusals import stopped_campaigns, templates_lacking_code

    return {
        "sms_stopped": list(stopped_campaigns()[:5]),
        "sms_lacking_code": templates_lacking_code(),
    }


def dashboard_html(request) -> str:
    """The dashboard as the home page shows it (liaison_portal.views.home)."""
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.formats import date_format

    from monitoring.chart import chart_title, trend_svg
    from outreach.events.selectors import training_progress

    board = dashboard_for(user=request.user)
    points = [(date_format(point.month, "M"), point.rate) for point in board.trend]
    role = user_role(request.user)
    return render_to_string(
        "monitoring/_dashboard.html",
        {
            "d": board,
            "rate_percent": f"{board.rate * 100:.1f}%",
            "chart": trend_svg(points, title=chart_title()),
            "list_url": reverse("registry:enterprises"),
            "matters_url": reverse("outreach:matters:list"),
            "scope_note": _("your grid areas") if role == Role.GRID_WORKER else "",
            # Admins and staff, who plan the contacts, hear of a year with no holidays.
            "holidays_missing": holidays_missing(today=clock.today())
            if role in (Role.ADMIN, Role.STAFF)
            else [],
            "holidays_url": reverse("registry:holidays") if role == Role.ADMIN else "",
            # Admins hear of what the SMS provider refuses (outreach.messaging.refusals).
            **(sms_attention() if role == Role.ADMIN else {}),
            # Admins and staff, who hold the events, see the year's trainings against the
            # park's target (outreach.events; monitoring sits above outreach).
            "training_progress": training_progress() if role in (Role.ADMIN, Role.STAFF) else None,
        },
        request=request,
    )
