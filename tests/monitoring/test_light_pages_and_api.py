"""The light where people look: a badge on the list and the enterprise page, a filter and a
sort on the list, the timeline, the API fields, /api/light-changes/, pausing from the page."""

import datetime

import pytest
from django.urls import reverse

from monitoring.models import ContactHealth
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.monitoring.conftest import REACHED, TODAY, log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def red_a(enterprise_a, staff_user):
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    return enterprise_a


@pytest.fixture
def yellow_b(grid_b, staff_user):
    enterprise = EnterpriseFactory(grid=grid_b, name="杭州丙丁贸易有限公司")
    LiaisonFactory(enterprise=enterprise)
    for _ in range(2):
        log(enterprise, by=staff_user)
    return enterprise


def _list(client, **params):
    return client.get(reverse("registry:enterprises"), params)


def test_the_list_shows_each_enterprise_s_light_as_a_badge(client, staff_user, red_a, yellow_b):
    green = EnterpriseFactory(name="从未联系的公司")
    client.force_login(staff_user)
    html = _list(client).content.decode()
    assert 'data-light="red"' in html and 'data-light="yellow"' in html
    assert 'data-light="green"' in html
    assert "红灯" in html and "黄灯" in html and "绿灯" in html
    assert green.name in html


def test_the_list_filters_by_light(client, staff_user, red_a, yellow_b):
    EnterpriseFactory(name="从未联系的公司")
    client.force_login(staff_user)
    names = lambda response: {e.name for e in response.context["page"].object_list}  # noqa: E731
    assert names(_list(client, light="red")) == {red_a.name}
    assert names(_list(client, light="yellow")) == {yellow_b.name}
    assert names(_list(client, light="green")) == {"从未联系的公司"}
    # An unknown light is ignored, not an error.
    assert len(names(_list(client, light="purple"))) == 3


def test_the_list_sorts_the_most_failed_first(client, staff_user, red_a, yellow_b):
    EnterpriseFactory(name="从未联系的公司")
    client.force_login(staff_user)
    rows = list(_list(client, sort="-light").context["page"].object_list)
    assert [e.name for e in rows] == [red_a.name, yellow_b.name, "从未联系的公司"]


def test_a_grid_worker_filtering_by_light_sees_only_their_grids(client, worker_a, red_a, yellow_b):
    client.force_login(worker_a)
    response = _list(client, light="yellow")
    assert list(response.context["page"].object_list) == []


def test_the_light_costs_the_list_no_query_per_row(
    client, staff_user, grid_a, django_assert_max_num_queries
):
    for i in range(60):
        enterprise = EnterpriseFactory(grid=grid_a)
        if i % 2:
            ContactHealth.objects.create(enterprise=enterprise, light="red", consecutive_failures=3)
    client.force_login(staff_user)
    # 13: a page's ids, then its rows (the deferred join, registry.paging), one query more.
    with django_assert_max_num_queries(13):
        response = _list(client, sort="-light")
    assert response.content.decode().count('data-testid="light"') == 50


def test_the_enterprise_page_shows_the_badge_and_the_changes_on_the_timeline(
    client, staff_user, red_a
):
    client.force_login(staff_user)
    html = client.get(reverse("registry:enterprise", args=[red_a.uscc])).content.decode()
    panel = html.split('data-testid="health-panel"')[1]
    assert 'data-light="red"' in panel
    assert "灯色变为：红灯" in html and "灯色变为：黄灯" in html


def test_staff_pause_and_resume_escalation_from_the_page(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    until = TODAY + datetime.timedelta(days=60)
    response = client.post(
        reverse("monitoring:pause", args=[enterprise_a.uscc]),
        {"reason": "suspended", "until": until.isoformat()},
        follow=True,
    )
    assert "已暂停升级" in response.content.decode()
    assert ContactHealth.objects.get(enterprise=enterprise_a).paused_until == until
    client.post(reverse("monitoring:resume", args=[enterprise_a.uscc]))
    assert ContactHealth.objects.get(enterprise=enterprise_a).paused_until is None


def test_a_pause_without_a_date_is_refused_with_a_message(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    response = client.post(
        reverse("monitoring:pause", args=[enterprise_a.uscc]),
        {"reason": "suspended", "until": "not a date"},
        follow=True,
    )
    assert "请填写暂停的最后一天" in response.content.decode()
    assert not ContactHealth.objects.filter(enterprise=enterprise_a).exists()


def test_the_api_enterprise_carries_the_light(api, staff_user, red_a):
    body = api(staff_user).get(f"/api/enterprises/{red_a.uscc}/").json()
    assert body["light"] == "red"
    assert body["consecutive_failures"] == 3
    assert body["light_since"] is not None
    rows = api(staff_user).get("/api/enterprises/", {"light": "red"}).json()["results"]
    assert [row["uscc"] for row in rows] == [red_a.uscc]
    assert rows[0]["light"] == "red"


def test_the_api_refuses_an_unknown_light(api, staff_user):
    response = api(staff_user).get("/api/enterprises/", {"light": "purple"})
    assert response.status_code == 400
    assert "light" in response.json()["errors"]


def test_api_light_changes_lists_transitions_in_the_user_s_scope(
    api, staff_user, worker_b, red_a, yellow_b
):
    log(red_a, REACHED, by=staff_user)
    rows = api(staff_user).get("/api/light-changes/", {"enterprise": red_a.uscc}).json()["results"]
    assert [(r["from_light"], r["to_light"]) for r in rows] == [
        ("red", "green"),
        ("yellow", "red"),
        ("green", "yellow"),
    ]
    assert rows[0]["attempt"] is not None and rows[0]["reason"] == "attempt"
    theirs = api(worker_b).get("/api/light-changes/").json()["results"]
    assert {r["enterprise"]["uscc"] for r in theirs} == {yellow_b.uscc}
