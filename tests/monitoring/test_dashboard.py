"""The dashboard on the home page: the lights with links to the filtered list, the
loss-of-contact rate and its trend, how long enterprises stay red, tasks per worker and
grid; scoped to a grid worker's grids; fast (a bounded number of queries)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.chart import trend_svg
from monitoring.dashboard import dashboard_for
from monitoring.models import ContactHealth, LightChange
from outreach.models import Task
from outreach.services import task_open
from registry import clock
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _light(enterprise, light, *, days_ago, history=()):
    now = timezone.now()
    ContactHealth.objects.create(
        enterprise=enterprise,
        light=light,
        consecutive_failures={"green": 0, "yellow": 2, "red": 3}[light],
        light_since=now - datetime.timedelta(days=days_ago),
    )
    previous = "green"
    for to_light, ago in [*history, (light, days_ago)]:
        if to_light != previous:
            LightChange.objects.create(
                enterprise=enterprise,
                from_light=previous,
                to_light=to_light,
                at=now - datetime.timedelta(days=ago),
                reason="attempt",
                consecutive_failures=3,
            )
        previous = to_light


@pytest.fixture
def park(grid_a, grid_b):
    a_red = EnterpriseFactory(grid=grid_a)
    _light(a_red, "red", days_ago=40, history=[("yellow", 45)])
    a_yellow = EnterpriseFactory(grid=grid_a)
    _light(a_yellow, "yellow", days_ago=2)
    for _ in range(2):
        EnterpriseFactory(grid=grid_a)
    b_red = EnterpriseFactory(grid=grid_b)
    _light(b_red, "red", days_ago=3)
    # Red from the 10th of the month four calendar months back (the trend's fifth point from
    # the end) to the 10th of the next month: red at the end of that month, whatever today is.
    today = clock.today()
    spell = (
        clock.add_months(today, -4).replace(day=10),
        clock.add_months(today, -3).replace(day=10),
    )
    b_back = EnterpriseFactory(grid=grid_b)
    _light(
        b_back,
        "green",
        days_ago=(today - spell[1]).days,
        history=[("red", (today - spell[0]).days)],
    )
    EnterpriseFactory(grid=grid_b, status="deregistered")
    return {"a_red": a_red, "a_yellow": a_yellow, "b_red": b_red, "spell": spell}


def test_staff_see_the_whole_park(staff_user, park):
    board = dashboard_for(user=staff_user)
    assert (board.active, board.green, board.yellow, board.red) == (6, 3, 1, 2)
    assert board.rate == pytest.approx(2 / 6)
    assert board.red_ages == {"week": 1, "month": 0, "quarter": 1, "longer": 0}
    spell_start, spell_end = park["spell"]
    assert board.red_days_average == pytest.approx((spell_end - spell_start).days, abs=0.01)
    # The trend: 12 calendar months; now two red; at the end of the month four months back
    # the spell of b_back was red.
    assert len(board.trend) == 12
    assert board.trend[-1].red == 2
    assert board.trend[-5].month == spell_start.replace(day=1)
    assert board.trend[-5].red == 1
    assert board.trend[-4].red == 0


def test_a_grid_worker_sees_only_their_grids(worker_a, park):
    board = dashboard_for(user=worker_a)
    assert (board.active, board.yellow, board.red) == (4, 1, 1)
    assert board.trend[-1].red == 1


def test_open_and_overdue_tasks_per_worker_and_grid(staff_user, worker_a, park):
    task_open(enterprise=park["a_red"], kind=Task.Kind.ONSITE_VERIFICATION, source="rule")
    task_open(
        enterprise=park["a_yellow"],
        kind=Task.Kind.RECHECK_CALL,
        source="rule",
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    task_open(enterprise=park["b_red"], kind=Task.Kind.ONSITE_VERIFICATION, source="rule")
    board = dashboard_for(user=staff_user)
    worker = next(load for load in board.by_worker if load.name == worker_a.username)
    assert (worker.open, worker.overdue) == (2, 1)
    pool = next(load for load in board.by_worker if load.name == "服务专员公共池")
    assert (pool.open, pool.overdue) == (1, 0)
    grids = {load.name: (load.open, load.overdue) for load in board.by_grid}
    assert grids == {"甲网格": (2, 1), "乙网格": (1, 0)}
    assert [load.name for load in dashboard_for(user=worker_a).by_grid] == ["甲网格"]


def test_the_home_page_shows_the_dashboard_with_links_to_the_filtered_list(
    client, staff_user, park
):
    client.force_login(staff_user)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="dashboard"' in html
    assert f'href="{reverse("registry:enterprises")}?light=red"' in html
    assert "失联率" in html
    assert "33.3%" in html
    assert "<svg" in html and "<script" not in html.split('data-testid="dashboard"')[1]


def test_auditors_read_the_dashboard(client, auditor, park):
    client.force_login(auditor)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="count-red"' in html


def test_the_dashboard_costs_a_bounded_number_of_queries(
    client, staff_user, grid_a, django_assert_max_num_queries
):
    for i in range(50):
        enterprise = EnterpriseFactory(grid=grid_a)
        if i % 3 == 0:
            _light(enterprise, "red", days_ago=i)
    client.force_login(staff_user)
    # 16 for the figures (one for the matters), 1 for the holiday years (is one missing?),
    # 2 for the buildings that stand out (the setting, one aggregate), 2 for the year's
    # trainings against the target (outreach.events: the setting, one aggregate), 1 for the
    # navigation's "My tasks" badge (outreach.context_processors).
    with django_assert_max_num_queries(22):
        client.get(reverse("home"))


def test_the_trend_chart_is_an_inline_svg_with_a_point_per_month():
    svg = str(trend_svg([("一月", 0.0), ("二月", 0.05), ("三月", 0.125)], title="失联率"))
    assert svg.startswith("<svg") and svg.count("<circle") == 3
    assert "12.5%" in svg  # the point's tooltip
    assert "style=" not in svg  # nothing the CSP would block
    # The axis is rounded up to a readable top.
    assert ">20%<" in svg
