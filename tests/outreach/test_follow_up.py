"""Follow-up tasks from a logged contact or a visit (issue 18; 003/004: every open point has an
owner and a deadline): staff write what was agreed, who does it and by when on the contact
form, and it becomes a task. An enterprise may have several follow-ups open; every other kind
keeps its one open task per enterprise."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from core.errors import ServiceError
from outreach.models import ContactAttempt, Task
from outreach.services import FollowUp, contact_attempt_record, follow_up_task_create, task_open
from outreach.sql.tasks import on_conflict_open
from registry.clock import now as clock_now
from registry.sql import Table
from tests.outreach.conftest import TODAY
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

Channel, Outcome = ContactAttempt.Channel, ContactAttempt.Outcome
IN_A_WEEK = TODAY + datetime.timedelta(days=7)


def _contact_form(enterprise):
    return reverse("outreach:attempt_new", args=[enterprise.uscc])


def test_a_visit_with_something_agreed_makes_a_follow_up_task_for_its_owner(
    client, clock, worker_a, staff_user, enterprise_a
):
    client.force_login(worker_a)
    form = client.get(_contact_form(enterprise_a)).content.decode()
    assert "后续跟进（选填）" in form and "约定事项" in form
    # Whoever logs the contact is the owner unless they choose someone else.
    assert f'<option value="{worker_a.pk}" selected>' in form

    response = client.post(
        _contact_form(enterprise_a),
        {
            "channel": "visit",
            "outcome": "reached",
            "occurred_at": "2026-11-24T09:40",
            "follow_up_note": "下周二前送达研发费用加计扣除政策解读",
            "follow_up_assignee": staff_user.pk,
            "follow_up_due_on": IN_A_WEEK.isoformat(),
        },
    )

    assert response.status_code == 302
    task = Task.objects.get(kind=Task.Kind.FOLLOW_UP)
    assert (task.enterprise, task.assignee, task.due_on) == (enterprise_a, staff_user, IN_A_WEEK)
    assert (task.note, task.source, task.created_by) == (
        "下周二前送达研发费用加计扣除政策解读",
        Task.Source.MANUAL,
        worker_a,
    )
    assert ContactAttempt.objects.get().channel == Channel.VISIT
    # The owner finds it in 我的待办, and the enterprise's panel lists it.
    client.force_login(staff_user)
    assert "研发费用加计扣除政策解读" in client.get(reverse("outreach:tasks")).content.decode()
    panel = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()
    assert "跟进事项" in panel


def test_a_contact_without_anything_agreed_makes_no_task(client, clock, worker_a, enterprise_a):
    client.force_login(worker_a)
    response = client.post(
        _contact_form(enterprise_a),
        {"channel": "phone", "outcome": "reached", "occurred_at": "2026-11-24T09:40"},
    )
    assert response.status_code == 302
    assert not Task.objects.filter(kind=Task.Kind.FOLLOW_UP).exists()


@pytest.mark.parametrize(
    ("follow_up", "field", "message"),
    [
        ({"follow_up_due_on": IN_A_WEEK.isoformat()}, "follow_up_note", "请填写约定的事项"),
        ({"follow_up_note": "补交材料"}, "follow_up_due_on", "请填写到期日"),
        (
            {"follow_up_note": "补交材料", "follow_up_due_on": "2026-11-23"},
            "follow_up_due_on",
            "该日期已过",
        ),
    ],
)
def test_an_incomplete_follow_up_is_a_400_naming_the_field_and_nothing_is_logged(
    client, clock, worker_a, enterprise_a, follow_up, field, message
):
    client.force_login(worker_a)
    response = client.post(
        _contact_form(enterprise_a),
        {"channel": "phone", "outcome": "reached", "occurred_at": "2026-11-24T09:40", **follow_up},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-testid="error-{field}"' in page and message in page
    assert not ContactAttempt.objects.exists()
    assert not Task.objects.exists()


def test_an_owner_who_may_not_hold_the_enterprises_tasks_is_refused(
    clock, worker_a, worker_b, enterprise_a
):
    with pytest.raises(ServiceError) as refused:
        contact_attempt_record(
            enterprise=enterprise_a,
            channel=Channel.PHONE,
            outcome=Outcome.REACHED,
            by=worker_a,
            follow_up=FollowUp(note="补交材料", due_on=IN_A_WEEK, assignee=worker_b),
        )
    assert refused.value.field == "follow_up_assignee"
    assert not ContactAttempt.objects.exists() and not Task.objects.exists()


def test_an_enterprise_may_have_several_open_follow_ups(clock, staff_user, worker_a, enterprise_a):
    for note in ("补交材料", "预约走访", "转交税务窗口"):
        contact_attempt_record(
            enterprise=enterprise_a,
            channel=Channel.PHONE,
            outcome=Outcome.REACHED,
            by=staff_user,
            follow_up=FollowUp(note=note, due_on=IN_A_WEEK, assignee=worker_a),
        )
    follow_up_task_create(
        enterprise=enterprise_a,
        follow_up=FollowUp(note="电话回访", due_on=IN_A_WEEK),
        by=staff_user,
    )

    open_follow_ups = Task.objects.filter(
        enterprise=enterprise_a, kind=Task.Kind.FOLLOW_UP, status=Task.Status.OPEN
    )
    assert open_follow_ups.count() == 4
    # No owner chosen: the service staff's pool, as the form says.
    assert open_follow_ups.get(note="电话回访").assignee is None


def test_the_planners_kinds_keep_one_open_task_per_enterprise(clock, enterprise_a):
    first = task_open(enterprise=enterprise_a, kind=Task.Kind.ROUTINE, source=Task.Source.PLAN)
    again = task_open(enterprise=enterprise_a, kind=Task.Kind.ROUTINE, source=Task.Source.PLAN)
    assert again.pk == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            enterprise=enterprise_a, kind=Task.Kind.ROUTINE, source="rule", due_on=TODAY
        )


def test_the_conflict_target_is_the_unique_indexs_own_predicate(enterprise_a):
    """ON CONFLICT finds its arbiter only if its WHERE implies the index's predicate: the
    statement the planner, the rules and task_open run works against the migrated index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indexrelid = 'task_one_open_per_enterprise_kind'::regclass"
        )
        (definition,) = cursor.fetchone()
        assert "follow_up" in definition and "open" in definition
        for _ in range(2):
            cursor.execute(
                "INSERT INTO outreach_task (enterprise_id, kind, source, status, due_on, "
                "suggested_channel, note, created_at, close_note) "
                "VALUES (%s, 'routine', 'plan', 'open', %s, '', '', %s, '') "
                f"{on_conflict_open(Table(Task))}",
                [enterprise_a.pk, TODAY, clock_now()],
            )
    assert Task.objects.filter(enterprise=enterprise_a).count() == 1


# --- The contact-attempt API takes the same follow-up -------------------------------------

ATTEMPTS = "/api/contact-attempts/"


def _attempt(enterprise, **follow_up):
    return {"enterprise": enterprise.uscc, "channel": "phone", "outcome": "reached", **follow_up}


def test_a_contact_logged_through_the_api_opens_the_follow_up_agreed(
    clock, worker_a, staff_user, enterprise_a
):
    response = token_client(worker_a).post(
        ATTEMPTS,
        _attempt(
            enterprise_a,
            follow_up_note="周五前回电告知社保基数调整结果",
            follow_up_due_on=IN_A_WEEK.isoformat(),
            follow_up_assignee=staff_user.username,
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    task = Task.objects.get(kind=Task.Kind.FOLLOW_UP)
    assert (task.enterprise, task.assignee, task.due_on, task.note) == (
        enterprise_a,
        staff_user,
        IN_A_WEEK,
        "周五前回电告知社保基数调整结果",
    )
    assert (task.source, task.created_by) == (Task.Source.MANUAL, worker_a)
    # The owner sees it in their tasks, through the API too.
    mine = token_client(staff_user).get("/api/tasks/", {"assignee": "me", "kind": "follow_up"})
    assert [row["note"] for row in mine.json()["results"]] == ["周五前回电告知社保基数调整结果"]


def test_without_an_owner_named_the_follow_up_is_the_callers_and_null_is_the_pool(
    clock, worker_a, enterprise_a
):
    client = token_client(worker_a)
    for assignee in ({}, {"follow_up_assignee": None}):
        response = client.post(
            ATTEMPTS,
            _attempt(
                enterprise_a,
                follow_up_note="送达政策解读",
                follow_up_due_on=IN_A_WEEK.isoformat(),
                **assignee,
            ),
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert [t.assignee for t in Task.objects.filter(kind="follow_up").order_by("pk")] == [
        worker_a,
        None,
    ]


@pytest.mark.parametrize(
    ("follow_up", "field"),
    [
        ({"follow_up_due_on": IN_A_WEEK.isoformat()}, "follow_up_note"),
        ({"follow_up_note": "回电"}, "follow_up_due_on"),
        ({"follow_up_note": "回电", "follow_up_due_on": "2026-11-01"}, "follow_up_due_on"),
        ({"follow_up_note": "回电", "follow_up_due_on": "明天"}, "follow_up_due_on"),
        (
            {"follow_up_note": "回电", "follow_up_due_on": "2026-12-01", "follow_up_assignee": "x"},
            "follow_up_assignee",
        ),
    ],
)
def test_an_incomplete_follow_up_through_the_api_is_a_400_naming_the_field_and_nothing_is_logged(
    clock, worker_a, enterprise_a, follow_up, field
):
    response = token_client(worker_a).post(
        ATTEMPTS, _attempt(enterprise_a, **follow_up), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ContactAttempt.objects.exists() and not Task.objects.exists()


def test_a_grid_worker_cannot_give_the_follow_up_to_another_grids_worker(
    clock, worker_a, worker_b, enterprise_a
):
    response = token_client(worker_a).post(
        ATTEMPTS,
        _attempt(
            enterprise_a,
            follow_up_note="回电",
            follow_up_due_on=IN_A_WEEK.isoformat(),
            follow_up_assignee=worker_b.username,
        ),
        format="json",
    )
    assert response.status_code == 400
    assert "follow_up_assignee" in response.json()["errors"]
    assert not ContactAttempt.objects.exists()
