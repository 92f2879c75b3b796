"""The outreach pages as grid workers and staff use them (in Chinese)."""

import datetime

import pytest
from django.urls import reverse

from outreach.models import ContactAttempt, Task
from outreach.services import task_open
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY

pytestmark = pytest.mark.django_db

TASKS = reverse("outreach:tasks")


def _task(enterprise, kind=Task.Kind.ROUTINE, days=0, **kwargs):
    return task_open(
        enterprise=enterprise,
        kind=kind,
        source=Task.Source.PLAN,
        due_on=TODAY + datetime.timedelta(days=days),
        **kwargs,
    )


@pytest.fixture
def enterprise_b(grid_b):
    enterprise = EnterpriseFactory(grid=grid_b, name="杭州丙丁贸易有限公司")
    LiaisonFactory(enterprise=enterprise)
    return enterprise


def _section(response, key):
    return next(section for _title, section in response.context["sections"] if section.key == key)


def test_a_grid_worker_sees_their_overdue_today_and_week_tasks(
    client, clock, worker_a, enterprise_a, grid_a, enterprise_b
):
    overdue = _task(enterprise_a, days=-3)
    today = _task(EnterpriseFactory(grid=grid_a), kind=Task.Kind.INFO_CHECK)
    this_week = _task(EnterpriseFactory(grid=grid_a), days=4)  # Saturday 28 November
    _task(enterprise_b)  # grid B's: never shown to A's worker
    client.force_login(worker_a)

    response = client.get(TASKS)

    assert response.status_code == 200
    assert [t.pk for t in _section(response, "overdue").rows] == [overdue.pk]
    assert [t.pk for t in _section(response, "today").rows] == [today.pk]
    assert [t.pk for t in _section(response, "week").rows] == [this_week.pk]
    page = response.content.decode()
    for text in ("我的待办", "已逾期", "今天", "本周其余", "例行触达", "信息核实", "记录联系"):
        assert text in page
    assert "杭州丙丁" not in page
    assert 'class="task overdue"' in page  # overdue tasks stand out


def test_staff_see_every_task_and_the_pool_and_can_filter(
    client, clock, staff_user, worker_a, enterprise_a, enterprise_b
):
    _task(enterprise_a)
    pooled = _task(enterprise_b)  # grid B has no worker in this test
    client.force_login(staff_user)

    own = client.get(TASKS)  # staff's list opens on their own tasks too (issue 21)
    everyone = client.get(TASKS, {"assignee": ""})
    pool = client.get(TASKS, {"assignee": "pool"})

    assert own.context["filters"].assignee == "me"
    assert not _section(own, "today").rows
    assert len(_section(everyone, "today").rows) == 2
    assert [t.pk for t in _section(pool, "today").rows] == [pooled.pk]
    assert "服务专员公共池" in pool.content.decode()
    assert "改派" in pool.content.decode()


def test_logging_a_reached_contact_from_a_task_closes_it(client, clock, worker_a, enterprise_a):
    task = _task(enterprise_a)
    client.force_login(worker_a)
    url = reverse("outreach:task_attempt", args=[task.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "张伟" in form.content.decode()  # the current liaison is offered first

    response = client.post(
        url,
        {
            "channel": "phone",
            "outcome": "reached",
            "liaison": enterprise_a.current_liaison.pk,
            "occurred_at": "2026-11-24T09:40",
            "note": "信息无变化",
            "verified": "on",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == TASKS
    task.refresh_from_db()
    assert not task.is_open and task.closed_by == worker_a
    assert "联系已记录" in response.content.decode()
    assert "待办已办结" in response.content.decode()
    enterprise_a.current_liaison.refresh_from_db()
    assert enterprise_a.current_liaison.last_verified_at is not None


def test_a_failed_contact_leaves_the_task_open_and_says_so(client, clock, worker_a, enterprise_a):
    task = _task(enterprise_a)
    client.force_login(worker_a)

    response = client.post(
        reverse("outreach:task_attempt", args=[task.pk]),
        {"channel": "phone", "outcome": "no_answer", "occurred_at": "2026-11-24T09:40"},
        follow=True,
    )

    task.refresh_from_db()
    assert task.is_open
    assert "待办仍未办结" in response.content.decode()
    assert ContactAttempt.objects.filter(enterprise=enterprise_a, outcome="no_answer").exists()


def test_verified_without_reaching_is_refused_next_to_the_field(
    client, clock, worker_a, enterprise_a
):
    client.force_login(worker_a)

    response = client.post(
        reverse("outreach:attempt_new", args=[enterprise_a.uscc]),
        {
            "channel": "phone",
            "outcome": "busy",
            "occurred_at": "2026-11-24T09:40",
            "verified": "on",
        },
    )

    assert response.status_code == 400
    assert "只有联系上联络员时才能核实信息" in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_the_form_offers_only_outcomes_a_person_can_find(client, clock, worker_a, enterprise_a):
    client.force_login(worker_a)
    url = reverse("outreach:attempt_new", args=[enterprise_a.uscc])
    page = client.get(url).content.decode()
    assert "无人接听" in page and "他人反映联系不上" not in page and 'value="sent"' not in page
    refused = client.post(
        url, {"channel": "visit", "outcome": "reported", "occurred_at": "2026-11-24T09:40"}
    )
    assert refused.status_code == 400
    assert not ContactAttempt.objects.exists()


def test_a_contact_in_the_future_is_refused(client, clock, worker_a, enterprise_a):
    client.force_login(worker_a)
    response = client.post(
        reverse("outreach:attempt_new", args=[enterprise_a.uscc]),
        {"channel": "phone", "outcome": "reached", "occurred_at": "2026-11-25T09:40"},
    )
    assert response.status_code == 400
    assert "不能记录未来时间的联系" in response.content.decode()


def test_the_enterprise_page_offers_logging_and_shows_attempts_on_the_timeline(
    client, clock, worker_a, enterprise_a
):
    client.force_login(worker_a)
    page = reverse("registry:enterprise", args=[enterprise_a.uscc])
    assert "记录联系" in client.get(page).content.decode()

    client.post(
        reverse("outreach:attempt_new", args=[enterprise_a.uscc]),
        {"channel": "wechat", "outcome": "left", "occurred_at": "2026-11-24T09:40"},
    )

    html = client.get(page).content.decode()
    assert "联系记录：微信/企业微信" in html
    assert "联络员已离职" in html
    assert "联络员交接" in html  # the handover task it opened, in the panel


def test_another_grids_worker_gets_404_for_the_task_and_the_enterprise(
    client, clock, worker_b, enterprise_a
):
    task = _task(enterprise_a)
    client.force_login(worker_b)
    assert client.get(reverse("outreach:task_attempt", args=[task.pk])).status_code == 404
    assert client.post(reverse("outreach:task_close", args=[task.pk])).status_code == 404
    url = reverse("outreach:attempt_new", args=[enterprise_a.uscc])
    assert client.get(url).status_code == 404


def test_a_task_is_closed_by_hand_with_a_note(client, clock, worker_a, enterprise_a):
    task = _task(enterprise_a, kind=Task.Kind.INFO_CHECK)
    client.force_login(worker_a)

    client.post(reverse("outreach:task_close", args=[task.pk]), {"note": "已在走访中核实"})

    task.refresh_from_db()
    assert not task.is_open
    assert (task.closed_by, task.close_note, task.closed_by_attempt) == (
        worker_a,
        "已在走访中核实",
        None,
    )


def test_staff_reassign_a_task_to_the_pool_and_grid_workers_may_not(
    client, clock, staff_user, worker_a, enterprise_a
):
    task = _task(enterprise_a)
    url = reverse("outreach:task_reassign", args=[task.pk])
    client.force_login(worker_a)
    assert client.post(url, {"assignee": ""}).status_code == 403

    client.force_login(staff_user)
    assert client.post(url, {"assignee": ""}).status_code == 302
    task.refresh_from_db()
    assert task.assignee is None


def test_an_auditor_reads_tasks_but_cannot_log_or_close(client, clock, auditor, enterprise_a):
    _task(enterprise_a)
    client.force_login(auditor)
    page = client.get(TASKS).content.decode()
    assert "甲乙科技" in page
    assert "记录联系" not in page and "办结此待办" not in page


def test_the_tasks_page_costs_the_same_queries_for_few_and_many_tasks(
    client, clock, staff_user, grid_a, django_assert_max_num_queries
):
    client.force_login(staff_user)
    for _ in range(3):
        _task(EnterpriseFactory(grid=grid_a))
    with django_assert_max_num_queries(15) as few:
        client.get(TASKS)
    for _ in range(30):
        _task(EnterpriseFactory(grid=grid_a), days=-1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(TASKS)
