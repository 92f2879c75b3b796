"""The desk's bulk actions (issue 21): personal links, a campaign and an export for the
enterprises chosen on the list; closing and reassigning ticked tasks; a handover task's one
step; "My tasks" counts and the navigation badge. Every selection is all or nothing: a grid
worker who edits the ids to reach grid B gets a 403 and nothing is written."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.models import Task
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import selfservice_leaving_report, selfservice_link_send
from outreach.services import task_open
from registry.models import Liaison, SensitiveView
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import SHANGHAI, TODAY, at

pytestmark = pytest.mark.django_db

LINKS = reverse("outreach:enterprise_links_send")
CAMPAIGN = reverse("messaging:campaign_from_selection")
EXPORT = reverse("registry:export_selection")
TASKS = reverse("outreach:tasks")
TASKS_BULK = reverse("outreach:tasks_bulk")


@pytest.fixture
def enterprise_b(grid_b):
    enterprise = EnterpriseFactory(grid=grid_b, name="杭州丙丁贸易有限公司")
    LiaisonFactory(enterprise=enterprise, name="李娜", mobile="13800001111")
    return enterprise


@pytest.fixture
def more_of_a(grid_a):
    enterprises = [EnterpriseFactory(grid=grid_a, name=f"甲网格企业{i}") for i in range(3)]
    for enterprise in enterprises:
        LiaisonFactory(enterprise=enterprise)
    return enterprises


def _task(enterprise, kind=Task.Kind.ROUTINE, days=0, assignee=None):
    return task_open(
        enterprise=enterprise,
        kind=kind,
        source=Task.Source.PLAN,
        due_on=TODAY + datetime.timedelta(days=days),
        assignee=assignee,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Personal links ---------------------------------------------------------------------


def test_ticked_enterprises_get_a_personal_link_each_in_one_bulk_write(
    client, clock, worker_a, enterprise_a, more_of_a
):
    client.force_login(worker_a)
    chosen = [enterprise_a, *more_of_a[:2]]

    response = client.post(LINKS, {"e": [e.pk for e in chosen]}, follow=True)

    assert response.status_code == 200
    links = SelfServiceLink.objects.filter(created_by=worker_a)
    assert sorted(links.values_list("enterprise", flat=True)) == sorted(e.pk for e in chosen)
    messages = OutboxMessage.objects.filter(purpose="self-service-link")
    assert messages.count() == 3
    assert all(m.status == OutboxMessage.Status.QUEUED for m in messages)
    assert "3" in " ".join(_messages(response))


def test_all_that_match_the_filter_is_the_filter_not_ids(
    client, clock, staff_user, enterprise_a, more_of_a, enterprise_b
):
    client.force_login(staff_user)

    client.post(LINKS, {"all": "1", "grid": "A"})

    sent_to = set(SelfServiceLink.objects.values_list("enterprise", flat=True))
    assert sent_to == {enterprise_a.pk, *(e.pk for e in more_of_a)}  # grid B's left out


def test_a_grid_worker_who_edits_the_ids_to_reach_grid_b_is_refused_and_nothing_is_sent(
    client, clock, worker_a, enterprise_a, enterprise_b
):
    client.force_login(worker_a)

    response = client.post(LINKS, {"e": [enterprise_a.pk, enterprise_b.pk]})

    assert response.status_code == 403
    assert (
        "不属于您" in response.content.decode() or "Nothing was done" in response.content.decode()
    )
    assert not SelfServiceLink.objects.exists()  # not even enterprise A's: never half done
    assert not OutboxMessage.objects.exists()


def test_all_that_match_never_reaches_beyond_a_grid_workers_scope(
    client, clock, worker_a, enterprise_a, enterprise_b
):
    client.force_login(worker_a)

    client.post(LINKS, {"all": "1", "grid": "B"})  # a filter naming grid B: nothing of B

    assert not SelfServiceLink.objects.filter(enterprise=enterprise_b).exists()


def test_an_empty_or_nonsense_selection_is_a_400(client, clock, staff_user, enterprise_a):
    client.force_login(staff_user)

    assert client.post(LINKS, {}).status_code == 400
    assert client.post(LINKS, {"e": ["x1"]}).status_code == 400
    assert client.post(LINKS, {"e": ["٣"]}).status_code == 400
    assert not OutboxMessage.objects.exists()


def test_links_clicked_after_hours_wait_for_the_next_sending_window(
    client, clock, staff_user, enterprise_a
):
    clock.move_to(at(TODAY, 20, 0))  # Tuesday 20:00: the window closed at 17:30
    client.force_login(staff_user)

    client.post(LINKS, {"e": [enterprise_a.pk]})

    message = OutboxMessage.objects.get()
    assert message.next_attempt_at == at(TODAY + datetime.timedelta(days=1), 9, 0)


def test_a_liaison_sent_a_link_within_a_day_is_left_out_of_a_second_bulk_send(
    client, clock, staff_user, enterprise_a, more_of_a
):
    first = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    client.force_login(staff_user)

    response = client.post(LINKS, {"e": [enterprise_a.pk, more_of_a[0].pk]}, follow=True)

    first.refresh_from_db()
    assert first.superseded_at is None  # the link the liaison may be opening still works
    assert SelfServiceLink.objects.filter(enterprise=more_of_a[0]).count() == 1
    assert any("24" in message for message in _messages(response))


def test_more_links_than_the_approval_threshold_is_a_campaign_not_a_click(
    client, clock, staff_user, enterprise_a, more_of_a, settings
):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 2
    client.force_login(staff_user)

    response = client.post(LINKS, {"all": "1"}, follow=True)

    assert not OutboxMessage.objects.exists()
    assert any("需管理员审批" in m for m in _messages(response))


def test_auditors_send_no_links(client, clock, auditor, enterprise_a):
    client.force_login(auditor)
    assert client.post(LINKS, {"e": [enterprise_a.pk]}).status_code == 403


# --- A campaign to the selection ----------------------------------------------------------


def test_new_campaign_to_ticked_enterprises_is_a_draft_for_exactly_those(
    client, clock, staff_user, enterprise_a, more_of_a, enterprise_b
):
    client.force_login(staff_user)
    ids = [enterprise_a.pk, enterprise_b.pk]

    form = client.post(CAMPAIGN, {"e": ids})

    assert form.status_code == 200
    page = form.content.decode()
    assert 'data-testid="selected-enterprises"' in page
    assert page.count('name="e"') == 2
    template = MessageTemplate.objects.get(key="holiday-greeting-sms")
    created = client.post(
        reverse("messaging:campaign_new"),
        {"name": "元旦问候", "kind": "holiday", "template": template.pk, "e": ids},
    )
    campaign = Campaign.objects.get()
    assert created.status_code == 302
    assert campaign.status == Campaign.Status.DRAFT
    assert sorted(campaign.filters["ids"]) == sorted(ids)
    audience = client.get(
        reverse("messaging:campaign_audience"), {"template": template.pk, "e": ids}
    )
    assert audience.context["audience"].enterprises == 2


def test_new_campaign_to_all_that_match_prefills_the_filter(
    client, clock, staff_user, enterprise_a, enterprise_b
):
    client.force_login(staff_user)

    form = client.post(CAMPAIGN, {"all": "1", "grid": "B"})

    assert form.status_code == 200
    assert form.context["filters"].grid == "B"
    assert not form.context["filters"].ids
    assert form.context["selected"] == 1


def test_grid_workers_make_no_campaigns(client, clock, worker_a, enterprise_a):
    client.force_login(worker_a)
    assert client.post(CAMPAIGN, {"e": [enterprise_a.pk]}).status_code == 403


# --- Export of the selection --------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_of_the_selection_has_only_the_ticked_rows_masked_for_the_auditor(
    client, clock, auditor, enterprise_a, more_of_a
):
    client.force_login(auditor)

    response = client.post(EXPORT, {"e": [enterprise_a.pk], "format": "csv"})

    assert response.status_code == 200
    rows = _csv_rows(response)
    assert len(rows) == 2  # the header and enterprise A
    flat = " ".join(rows[1])
    assert enterprise_a.uscc in flat
    assert "13912345678" not in flat and "139****5678" in flat
    assert not SensitiveView.objects.exists()  # masked: nothing shown in full to log


def test_a_grid_worker_cannot_export_grid_bs_enterprise_by_editing_the_ids(
    client, clock, worker_a, enterprise_a, enterprise_b
):
    client.force_login(worker_a)

    response = client.post(EXPORT, {"e": [enterprise_a.pk, enterprise_b.pk], "format": "csv"})

    assert response.status_code == 403
    assert "杭州丙丁" not in response.content.decode()


def test_export_of_all_that_match_uses_the_filter(
    client, clock, staff_user, enterprise_a, enterprise_b
):
    client.force_login(staff_user)

    rows = _csv_rows(client.post(EXPORT, {"all": "1", "grid": "B", "format": "csv"}))

    assert len(rows) == 2 and enterprise_b.uscc in " ".join(rows[1])


# --- Tasks: close and reassign in bulk ------------------------------------------------------


def test_a_grid_worker_closes_ticked_tasks_with_one_note(
    client, clock, worker_a, enterprise_a, more_of_a
):
    tasks = [_task(enterprise_a), _task(more_of_a[0], days=2)]
    client.force_login(worker_a)

    response = client.post(
        TASKS_BULK, {"action": "close", "note": "电话均已核实", "t": [t.pk for t in tasks]}
    )

    assert response.status_code == 302
    for task in tasks:
        task.refresh_from_db()
        assert task.status == Task.Status.DONE
        assert task.close_note == "电话均已核实"
        assert task.closed_by == worker_a


def test_closing_a_task_of_another_grid_among_the_ticked_is_refused_whole(
    client, clock, worker_a, enterprise_a, enterprise_b
):
    own, other = _task(enterprise_a), _task(enterprise_b)
    client.force_login(worker_a)

    response = client.post(
        TASKS_BULK, {"action": "close", "note": "已处理", "t": [own.pk, other.pk]}
    )

    assert response.status_code == 403
    assert Task.objects.filter(status=Task.Status.OPEN).count() == 2  # own stays open too


def test_a_bulk_close_without_a_note_or_with_a_closed_task_changes_nothing(
    client, clock, staff_user, enterprise_a, more_of_a
):
    open_task, closed = _task(enterprise_a), _task(more_of_a[0])
    Task.objects.filter(pk=closed.pk).update(
        status=Task.Status.DONE, closed_at=at(TODAY), close_note="早已办结"
    )
    client.force_login(staff_user)

    no_note = client.post(TASKS_BULK, {"action": "close", "note": " ", "t": [open_task.pk]})
    with_closed = client.post(
        TASKS_BULK,
        {"action": "close", "note": "已处理", "t": [open_task.pk, closed.pk]},
        follow=True,
    )

    assert no_note.status_code == 302
    open_task.refresh_from_db()
    assert open_task.status == Task.Status.OPEN
    assert any("1 项已办结" in m for m in _messages(with_closed))


def test_staff_reassign_ticked_tasks_to_a_grid_worker_of_their_grid(
    client, clock, staff_user, worker_a, enterprise_a, more_of_a
):
    tasks = [_task(enterprise_a, assignee=staff_user), _task(more_of_a[0], assignee=staff_user)]
    client.force_login(staff_user)

    client.post(
        TASKS_BULK, {"action": "reassign", "assignee": worker_a.pk, "t": [t.pk for t in tasks]}
    )

    assert set(Task.objects.values_list("assignee", flat=True)) == {worker_a.pk}


def test_reassigning_grid_bs_task_to_grid_as_worker_is_refused_whole(
    client, clock, staff_user, worker_a, enterprise_a, enterprise_b
):
    tasks = [_task(enterprise_a, assignee=staff_user), _task(enterprise_b, assignee=staff_user)]
    client.force_login(staff_user)

    response = client.post(
        TASKS_BULK,
        {"action": "reassign", "assignee": worker_a.pk, "t": [t.pk for t in tasks]},
        follow=True,
    )

    assert set(Task.objects.values_list("assignee", flat=True)) == {staff_user.pk}
    assert any("不在此人负责的网格内" in m for m in _messages(response))


def test_grid_workers_do_not_reassign_in_bulk(client, clock, worker_a, enterprise_a):
    task = _task(enterprise_a)
    client.force_login(worker_a)

    response = client.post(TASKS_BULK, {"action": "reassign", "assignee": "", "t": [task.pk]})

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.assignee == worker_a


def test_tasks_bulk_refuses_an_unknown_action_or_no_task(client, clock, staff_user, enterprise_a):
    task = _task(enterprise_a)
    client.force_login(staff_user)

    assert client.post(TASKS_BULK, {"action": "delete", "t": [task.pk]}).status_code == 400
    assert client.post(TASKS_BULK, {"action": "close", "note": "x"}).status_code == 400


# --- A handover task in one step ----------------------------------------------------------


def test_a_handover_task_makes_the_successor_the_liaison_in_one_step(
    client, clock, worker_a, staff_user, enterprise_a
):
    task = selfservice_leaving_report(
        link=selfservice_link_send(enterprise=enterprise_a, by=staff_user),
        notice_version="test",
        last_day=TODAY,
        successor_name="刘洋",
        successor_mobile="13698765432",
    )
    client.force_login(worker_a)

    page = client.get(TASKS).content.decode()
    assert "将刘洋设为联络员" in page
    response = client.post(reverse("outreach:task_handover_confirm", args=[task.pk]))

    assert response.status_code == 302
    current = Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True)
    assert current.name == "刘洋"
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_a_handover_task_without_a_reported_successor_offers_no_step(
    client, clock, worker_a, enterprise_a
):
    task = _task(enterprise_a, kind=Task.Kind.HANDOVER)
    client.force_login(worker_a)

    assert 'data-testid="handover-confirm"' not in client.get(TASKS).content.decode()
    client.post(reverse("outreach:task_handover_confirm", args=[task.pk]))
    assert Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True).name == "张伟"


def test_grid_b_cannot_confirm_grid_as_handover(client, clock, worker_b, staff_user, enterprise_a):
    task = selfservice_leaving_report(
        link=selfservice_link_send(enterprise=enterprise_a, by=staff_user),
        notice_version="test",
        last_day=TODAY,
        successor_name="刘洋",
        successor_mobile="13698765432",
    )
    client.force_login(worker_b)

    response = client.post(reverse("outreach:task_handover_confirm", args=[task.pk]))

    assert response.status_code == 404
    assert Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True).name == "张伟"


# --- My tasks: own tasks first, counts, the badge ---------------------------------------------


def test_staff_open_on_their_own_tasks_with_counts(
    client, clock, staff_user, enterprise_a, more_of_a
):
    _task(enterprise_a, days=-1, assignee=staff_user)  # overdue
    _task(more_of_a[0], assignee=staff_user)  # today
    _task(more_of_a[1], days=3, assignee=staff_user)  # Friday: this week
    _task(more_of_a[2], days=7, assignee=staff_user)  # next week
    _task(EnterpriseFactory(), days=-1)  # the pool's: not staff's own
    client.force_login(staff_user)

    response = client.get(TASKS)

    counts = response.context["counts"]
    assert (counts.overdue, counts.today, counts.week) == (1, 1, 2)
    page = response.content.decode()
    assert 'data-testid="task-badge"' in page
    assert '<span class="nav-badge" data-testid="task-badge"' in page


def _counts_page(client, user):
    response = client.get(TASKS)
    return response.context["counts"], response.content.decode()


@pytest.mark.parametrize(
    "instant",
    [
        # 00:30 on National Day in Shanghai is still 30 September in UTC: the park's date.
        datetime.datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI),
        # Spring Festival's eve 2026 (a holiday), a Monday's week boundary nearby.
        datetime.datetime(2026, 2, 16, 23, 30, tzinfo=SHANGHAI),
    ],
)
def test_counts_follow_the_parks_dates_on_a_holiday(client, staff_user, enterprise_a, instant):
    with time_machine.travel(instant, tick=False):
        today = instant.date()
        sunday = today + datetime.timedelta(days=6 - today.weekday())
        for days, enterprise in zip(
            (-1, 0, (sunday - today).days, (sunday - today).days + 1),
            [enterprise_a, *(EnterpriseFactory() for _ in range(3))],
            strict=True,
        ):
            task_open(
                enterprise=enterprise,
                kind=Task.Kind.ROUTINE,
                source=Task.Source.PLAN,
                due_on=today + datetime.timedelta(days=days),
                assignee=staff_user,
            )
        client.force_login(staff_user)

        counts, page = _counts_page(client, staff_user)

    assert (counts.overdue, counts.today, counts.week) == (1, 1, 2)
    assert 'data-testid="task-badge" title="已逾期或今天到期">2</span>' in page


def test_no_badge_without_tasks_due(client, clock, worker_a, enterprise_a):
    _task(enterprise_a, days=5)
    client.force_login(worker_a)

    page = client.get(reverse("registry:enterprises")).content.decode()

    assert 'data-testid="task-badge"' not in page


def test_the_badge_is_one_query_on_any_page(client, clock, worker_a, enterprise_a, more_of_a):
    for enterprise in [enterprise_a, *more_of_a]:
        _task(enterprise, days=-1)
    client.force_login(worker_a)
    home = reverse("home")
    client.get(home)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(home).content.decode()

    assert ">4</span>" in page
    badge = [
        q["sql"]
        for q in queries.captured_queries
        if 'AS "week"' in q["sql"] and "outreach_task" in q["sql"]
    ]
    assert len(badge) == 1


def test_my_tasks_costs_the_same_queries_for_3_or_30_tasks(
    client, clock, staff_user, grid_a, enterprise_a
):
    def count_queries() -> int:
        client.force_login(staff_user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TASKS, {"assignee": ""}).status_code == 200
        return len(queries)

    for days in range(3):
        _task(EnterpriseFactory(grid=grid_a), days=days - 1, assignee=staff_user)
    few = count_queries()
    for days in range(27):
        _task(EnterpriseFactory(grid=grid_a), days=days % 9 - 2, assignee=staff_user)
    many = count_queries()

    assert many == few
    assert many <= 25


def test_all_that_match_carries_the_lights_filter_into_the_new_campaign(
    client, clock, staff_user, enterprise_a, more_of_a
):
    from monitoring.models import ContactHealth

    ContactHealth.objects.create(enterprise=enterprise_a, light="red", consecutive_failures=3)
    client.force_login(staff_user)

    listing = client.get(reverse("registry:enterprises"), {"light": "red"}).content.decode()
    form = client.post(CAMPAIGN, {"all": "1", "light": "red"})

    assert 'name="light" value="red"' in listing
    assert form.context["selected"] == 1
    assert 'type="hidden" name="light" value="red"' in form.content.decode()
