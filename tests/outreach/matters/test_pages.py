"""The desk's pages as staff and grid workers use them (in Chinese): take in, route, take,
answer, chase, the lists, scoping and masking; bad input is a 400 naming the field."""

import pytest
from django.urls import reverse

from outreach.matters import services
from outreach.matters.models import Matter
from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db

NEW = reverse("outreach:matters:new")


@pytest.fixture
def enterprise_b(grid_b):
    enterprise = EnterpriseFactory(grid=grid_b, name="杭州丙丁贸易有限公司")
    LiaisonFactory(enterprise=enterprise, mobile="13711112222")
    return enterprise


def test_staff_take_in_a_matter_from_the_enterprise_page(client, staff_user, enterprise_a, tax):
    client.force_login(staff_user)
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()
    assert "新诉求" in page
    assert f"{NEW}?enterprise={enterprise_a.uscc}" in page

    response = client.post(
        NEW,
        {
            "channel": "phone",
            "enterprise": enterprise_a.uscc,
            "requester_is_liaison": "on",
            "category": tax.pk,
            "urgency": "normal",
            "description": "咨询研发费用加计扣除",
            "disposition": "received",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    matter = Matter.objects.get()
    assert response["Location"] == reverse("outreach:matters:detail", args=[matter.pk])
    assert matter.liaison == enterprise_a.current_liaison
    detail = client.get(response["Location"]).content.decode()
    assert matter.number in detail and "受理" in detail and "派单" in detail
    assert "139****5678" in detail and "13912345678" not in detail  # masked
    timeline = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc]))
    assert f"诉求 {matter.number}：受理" in timeline.content.decode()


def test_bad_input_is_a_400_naming_the_field(client, staff_user, tax):
    client.force_login(staff_user)
    response = client.post(
        NEW,
        {
            "channel": "phone",
            "enterprise": "不存在的公司",
            "category": tax.pk,
            "urgency": "normal",
            "description": "",
            "disposition": "received",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-enterprise"' in page
    assert 'data-testid="error-description"' in page
    assert not Matter.objects.exists()

    nobody = client.post(
        NEW,
        {
            "channel": "phone",
            "category": tax.pk,
            "urgency": "normal",
            "description": "来电",
            "disposition": "received",
            "requester_phone": "123",
        },
    )
    assert nobody.status_code == 400
    assert 'data-testid="error-requester_phone"' in nobody.content.decode()


def test_a_grid_worker_cannot_take_in_for_another_grids_enterprise(
    client, worker_a, enterprise_b, tax
):
    client.force_login(worker_a)
    response = client.post(
        NEW,
        {
            "channel": "visit",
            "enterprise": enterprise_b.uscc,
            "category": tax.pk,
            "urgency": "normal",
            "description": "走访时提出",
            "disposition": "received",
        },
    )
    assert response.status_code == 400
    assert "在您可见的企业中找不到" in response.content.decode()


def test_route_take_answer_and_close_on_the_matter_page(
    client, staff_user, worker_a, intake, tax_office
):
    matter = intake()
    client.force_login(staff_user)
    detail = reverse("outreach:matters:detail", args=[matter.pk])
    response = client.post(
        reverse("outreach:matters:route", args=[matter.pk]),
        {"version": matter.version, "department": tax_office.pk},
    )
    assert response.status_code == 302
    client.force_login(worker_a)
    mine = client.get(reverse("outreach:tasks")).content.decode()
    assert matter.number in mine  # routed to their department, beside their tasks
    matter.refresh_from_db()
    client.post(reverse("outreach:matters:take", args=[matter.pk]), {"version": matter.version})
    matter.refresh_from_db()
    assert matter.owner == worker_a and matter.state == "in_progress"

    missing = client.post(
        reverse("outreach:matters:answer", args=[matter.pk]),
        {"version": matter.version, "answer": "需要进一步确认", "resolved": "no"},
    )
    assert missing.status_code == 400
    assert 'data-testid="error-next_step"' in missing.content.decode()
    client.post(
        reverse("outreach:matters:answer", args=[matter.pk]),
        {"version": matter.version, "answer": "已指导完成申报", "resolved": "yes"},
    )
    matter.refresh_from_db()
    assert matter.state == "answered"
    client.post(reverse("outreach:matters:close", args=[matter.pk]), {"version": matter.version})
    matter.refresh_from_db()
    assert matter.state == "closed"
    page = client.get(detail).content.decode()
    for text in ("派单", "接单办理", "答复", "办结"):
        assert text in page


def test_a_stale_page_is_told_someone_else_took_it(client, staff_user, worker_a, intake):
    matter = intake(disposition="routed", owner=staff_user)
    seen = matter.version
    services.matter_take(matter=matter, by=staff_user)
    client.force_login(staff_user)
    matter.refresh_from_db()
    # The same person's second tab (or a colleague) posts the version it loaded.
    Matter.objects.filter(pk=matter.pk).update(state="routed")
    response = client.post(reverse("outreach:matters:take", args=[matter.pk]), {"version": seen})
    assert response.status_code == 409
    assert "刚刚已被他人处理" in response.content.decode()


def test_chase_is_one_click_and_shows_in_the_list(client, staff_user, worker_a, intake):
    matter = intake(disposition="routed", owner=worker_a)
    client.force_login(staff_user)
    response = client.post(reverse("outreach:matters:chase", args=[matter.pk]))
    assert response.status_code == 302
    assert matter.steps.filter(action="chase", by=staff_user).exists()
    listing = client.get(reverse("outreach:matters:list")).content.decode()
    assert "已催办 / 提醒" in listing


def test_grid_workers_see_their_grids_matters_only(
    client, worker_a, worker_b, intake, enterprise_b, staff_user, tax
):
    ours = intake()
    theirs = services.matter_intake(
        channel="phone",
        category=tax,
        description="乙网格企业的问题",
        by=staff_user,
        enterprise=enterprise_b,
    )
    client.force_login(worker_a)
    listing = client.get(reverse("outreach:matters:list")).content.decode()
    assert ours.number in listing and theirs.number not in listing
    assert client.get(reverse("outreach:matters:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("outreach:matters:chase", args=[theirs.pk])).status_code == 404


def test_a_grid_worker_keeps_the_unidentified_caller_they_took_in(
    client, worker_a, worker_b, staff_user, tax
):
    """A caller with no enterprise yet has no grid: the worker who took the call in the field
    is sent to the matter's page and finds it there (it was a 404), and in their list; another
    grid's worker does not."""
    client.force_login(worker_a)
    response = client.post(
        NEW,
        {
            "channel": "phone",
            "enterprise": "",
            "requester_name": "王先生",
            "requester_phone": "13800138000",
            "category": tax.pk,
            "urgency": "normal",
            "description": "来电，未说明公司名称",
            "disposition": "received",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    matter = Matter.objects.get()
    assert matter.enterprise is None
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and matter.number in detail.content.decode()
    listing = client.get(reverse("outreach:matters:list")).content.decode()
    assert matter.number in listing
    client.force_login(worker_b)
    assert client.get(response["Location"]).status_code == 404


def test_an_auditor_reads_but_cannot_act(client, auditor, intake):
    matter = intake()
    client.force_login(auditor)
    assert client.get(reverse("outreach:matters:detail", args=[matter.pk])).status_code == 200
    assert client.post(reverse("outreach:matters:chase", args=[matter.pk])).status_code == 403
    assert client.get(NEW).status_code == 403


def test_a_caller_identified_later_is_linked_on_the_page(client, staff_user, enterprise_a, tax):
    matter = services.matter_intake(
        channel="phone",
        category=tax,
        description="来电",
        by=staff_user,
        requester_name="王先生",
        requester_phone="13800138000",
    )
    client.force_login(staff_user)
    page = client.get(reverse("outreach:matters:detail", args=[matter.pk])).content.decode()
    assert "138****8000" in page and "13800138000" not in page
    response = client.post(
        reverse("outreach:matters:link", args=[matter.pk]),
        {"version": matter.version, "enterprise": enterprise_a.name},
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.enterprise == enterprise_a


def test_the_metrics_page_counts_the_three_rates(client, staff_user, intake, worker_a, auditor):
    answered = intake(disposition="answered", answer="已答复")
    services.matter_rate(
        matter=services.matter_feedback_resolve(
            Matter.objects.get(pk=answered.pk) and _token_of(answered)
        ),
        satisfaction="mostly",
    )
    intake()
    client.force_login(auditor)
    response = client.get(reverse("outreach:matters:metrics"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("响应率", "解决率", "满意率", "税务", "按月份", "按网格"):
        assert text in page
    rows = {key: rows for key, _title, rows in response.context["tables"]}
    tax_row = rows["category"][0]
    assert (tax_row.total, tax_row.answered, tax_row.resolved, tax_row.rated) == (2, 1, 1, 1)
    assert tax_row.satisfaction_rate == 100.0
    assert client.get(reverse("outreach:matters:metrics"), {"since": "31/12"}).status_code == 400


def _token_of(matter):
    import re

    from outreach.messaging.models import OutboxMessage

    body = OutboxMessage.objects.filter(purpose="matter_answer").latest("pk").body
    return re.search(r"/r/([A-Za-z0-9_-]{40,})/", body).group(1)


def test_the_metrics_page_costs_the_same_queries_for_few_and_many_matters(
    client, staff_user, intake, django_assert_max_num_queries
):
    intake()
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("outreach:matters:metrics"))
    for _ in range(15):
        intake(disposition="answered", answer="已答复")
    with django_assert_max_num_queries(12):
        client.get(reverse("outreach:matters:metrics"))


def test_a_follow_up_task_is_made_by_hand_from_a_matter(client, staff_user, worker_a, intake):
    import datetime

    from outreach.models import Task
    from registry import clock

    matter = intake()
    client.force_login(staff_user)
    url = reverse("outreach:matters:follow_up", args=[matter.pk])
    assert "新建跟进待办" in client.get(url).content.decode()
    past = client.post(url, {"assignee": worker_a.pk, "due_on": "2020-01-01", "note": "补材料"})
    assert past.status_code == 400
    assert 'data-testid="error-due_on"' in past.content.decode()
    due = clock.today() + datetime.timedelta(days=5)
    response = client.post(url, {"assignee": worker_a.pk, "due_on": due, "note": "企业补交材料"})
    assert response.status_code == 302
    task = Task.objects.get(kind="follow_up")
    assert (task.assignee, task.due_on, task.source) == (worker_a, due, "manual")
    assert matter.number in task.note
    assert matter.steps.filter(action="note").exists()
    client.force_login(worker_a)
    assert "跟进事项" in client.get(reverse("outreach:tasks")).content.decode()
    # Each point agreed is its own task: a second open follow-up of the enterprise is made
    # too (no owner chosen: the service staff's pool).
    client.force_login(staff_user)
    again = client.post(
        reverse("outreach:matters:enterprise_follow_up", args=[matter.enterprise.uscc]),
        {"due_on": due, "note": "再次跟进"},
    )
    assert again.status_code == 302
    second = Task.objects.get(kind="follow_up", note="再次跟进")
    assert second.status == "open" and second.assignee is None


def test_grid_workers_metrics_count_their_grids_only(
    client, worker_a, intake, enterprise_b, staff_user, tax
):
    intake()
    services.matter_intake(
        channel="phone",
        category=tax,
        description="乙网格企业的问题",
        by=staff_user,
        enterprise=enterprise_b,
    )
    client.force_login(worker_a)
    rows = {
        key: rows
        for key, _title, rows in client.get(reverse("outreach:matters:metrics")).context["tables"]
    }
    assert [(row.label, row.total) for row in rows["grid"]] == [("甲网格", 1)]


def test_a_leads_list_shows_the_overdue_matters_of_their_department(
    client, admin_user, intake, tax_office, worker_a
):
    import datetime

    from outreach.matters.services import matters_remind

    matter = intake(disposition="routed", department=tax_office)
    services.matter_take(matter=matter, by=worker_a)
    matters_remind(now=matter.resolution_due + datetime.timedelta(minutes=1))
    client.force_login(admin_user)  # the tax office's lead
    page = client.get(reverse("outreach:matters:mine")).content.decode()
    assert matter.number in page and "已逾期" in page
