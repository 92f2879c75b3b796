"""The dashboard (the home page's first card): the lights, the loss-of-contact rate (失联率 = red
÷ active enterprises) and its trend, how long enterprises stay red, open and overdue tasks
per grid worker and per grid, open and overdue matters of the first-contact desk. Every
figure starts from ``visible_enterprises(user)`` (the matters: ``visible_matters``): a grid
worker sees their grids only; auditors see everything, read-only (there is nothing to edit).

A bounded number of aggregate queries, none per row, so it stays fast at 100,000
enterprises: the counts use the light's partial index, the trend sums the changes of light
per month (a change into red adds one red enterprise, a change out of red removes one; the
two raw queries: monitoring.sql.dashboard).
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
from outreach.matters.selectors import open_matter_counts
from outreach.models import Task
from registry import clock
from registry.access import visible_enterprises
from registry.models import Enterprise, GridArea
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


def _task_loads(user, today: datetime.date) -> tuple[list[TaskLoad], list[TaskLoad]]:
    tasks = Task.objects.filter(
        status=Task.Status.OPEN, enterprise__in=visible_enterprises(user).values("pk")
    )
    counts = {"open": Count("pk"), "overdue": Count("pk", filter=Q(due_on__lt=today))}
    users = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(
            pk__in=tasks.exclude(assignee=None).values("assignee")
        )
    }
    by_worker = [
        TaskLoad(
            # No assignee: the service staff's pool.
            name=users[row["assignee"]] if row["assignee"] else _("Service staff pool"),
            open=row["open"],
            overdue=row["overdue"],
        )
        for row in tasks.values("assignee").annotate(**counts).order_by("assignee")
    ]
    grids = dict(GridArea.objects.values_list("pk", "name"))
    by_grid = [
        TaskLoad(
            name=grids.get(row["enterprise__grid"], "—"), open=row["open"], overdue=row["overdue"]
        )
        for row in tasks.values("enterprise__grid").annotate(**counts).order_by("enterprise__grid")
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


def dashboard_for(*, user, now: datetime.datetime | None = None) -> Dashboard:
    now = now or clock.now()
    today = clock.today(now)
    counts = _active(user).aggregate(
        active=Count("pk"),
        yellow=Count("pk", filter=Q(health__light=Light.YELLOW)),
        red=Count("pk", filter=Q(health__light=Light.RED)),
    )
    by_worker, by_grid = _task_loads(user, today)
    # visible_matters is the matters' grid scoping: a grid worker's grids, and what is routed
    # to them or their department (the list the tiles link to shows the same matters).
    matters = open_matter_counts(user=user)
    return Dashboard(
        active=counts["active"],
        green=counts["active"] - counts["yellow"] - counts["red"],
        yellow=counts["yellow"],
        red=counts["red"],
        trend=_trend(user, today),
        red_ages=_red_ages(user, now),
        red_days_average=_red_days_average(user, now),
        by_worker=by_worker,
        by_grid=by_grid,
        matters_open=matters["open"],
        matters_overdue=matters["overdue"],
        buildings=buildings_needing_attention(
            user=user, at_least=RuleSettings.current().building_attention_count
        ),
    )


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
    from registry.roles import Role, user_role

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
