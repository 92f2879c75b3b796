"""/api/contact-attempts/ and /api/tasks/: the pages' rules, in JSON."""

import datetime

import pytest

from outreach.models import ContactAttempt, Task
from outreach.services import contact_attempt_record, task_open
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

ATTEMPTS = "/api/contact-attempts/"
TASKS = "/api/tasks/"


@pytest.fixture
def enterprise_b(grid_b):
    enterprise = EnterpriseFactory(grid=grid_b)
    LiaisonFactory(enterprise=enterprise)
    return enterprise


def test_a_grid_worker_logs_a_contact_by_credit_code_and_it_closes_the_task(
    clock, worker_a, enterprise_a
):
    task = task_open(enterprise=enterprise_a, kind=Task.Kind.ROUTINE, source=Task.Source.PLAN)

    response = token_client(worker_a).post(
        ATTEMPTS,
        {
            "enterprise": enterprise_a.uscc.lower(),
            "channel": "visit",
            "outcome": "reached",
            "note": "走访座谈",
            "occurred_at": "2026-11-24T09:00:00+08:00",
            "verified": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["enterprise"]["uscc"] == enterprise_a.uscc
    assert body["liaison"]["name"] == "张伟"
    assert (body["succeeded"], body["by"], body["verified"]) == (True, worker_a.username, True)
    task.refresh_from_db()
    assert task.closed_by_attempt_id == body["id"]


def test_bad_input_is_a_400_in_chinese_naming_the_field(clock, worker_a, enterprise_a):
    api = token_client(worker_a)
    cases = [
        ({"channel": "phone", "outcome": "reached"}, "enterprise"),
        ({"enterprise": enterprise_a.uscc, "channel": "fax", "outcome": "reached"}, "channel"),
        (
            {
                "enterprise": enterprise_a.uscc,
                "channel": "phone",
                "outcome": "busy",
                "verified": True,
            },
            "verified",
        ),
        (
            {
                "enterprise": enterprise_a.uscc,
                "channel": "phone",
                "outcome": "reached",
                "occurred_at": "2030-01-01T00:00:00+08:00",
            },
            "occurred_at",
        ),
        (
            {
                "enterprise": enterprise_a.uscc,
                "channel": "phone",
                "outcome": "reached",
                "liaison": 999999,
            },
            "liaison",
        ),
        (
            {
                "enterprise": enterprise_a.uscc,
                "channel": "phone",
                "outcome": "reached",
                "colour": "red",
            },
            "colour",
        ),
        # Outcomes only the portal writes (a welcome sent, a report from outside).
        ({"enterprise": enterprise_a.uscc, "channel": "phone", "outcome": "sent"}, "outcome"),
        ({"enterprise": enterprise_a.uscc, "channel": "visit", "outcome": "reported"}, "outcome"),
    ]
    for body, field in cases:
        response = api.post(ATTEMPTS, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["errors"], response.json()
    assert not ContactAttempt.objects.exists()
    verified = api.post(ATTEMPTS, cases[2][0], format="json").json()["errors"]["verified"]
    assert verified == ["只有联系上联络员时才能核实信息。"]


def test_another_grids_enterprise_is_not_found_for_writing_or_reading(
    clock, worker_b, enterprise_a
):
    contact_attempt_record(enterprise=enterprise_a, channel="phone", outcome="reached")
    api = token_client(worker_b)

    response = api.post(
        ATTEMPTS,
        {"enterprise": enterprise_a.uscc, "channel": "phone", "outcome": "reached"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["enterprise"] == ["没有您可查看的此信用代码的企业。"]
    assert api.get(ATTEMPTS).json()["count"] == 0
    assert api.get(ATTEMPTS, {"enterprise": enterprise_a.uscc}).json()["count"] == 0


def test_attempts_are_listed_newest_first_with_filters(clock, staff_user, enterprise_a):
    contact_attempt_record(enterprise=enterprise_a, channel="phone", outcome="no_answer")
    contact_attempt_record(enterprise=enterprise_a, channel="sms", outcome="bounced")
    api = token_client(staff_user)

    everything = api.get(ATTEMPTS).json()
    bounced = api.get(ATTEMPTS, {"outcome": "bounced"}).json()

    assert [a["outcome"] for a in everything["results"]] == ["bounced", "no_answer"]
    assert [a["by"] for a in bounced["results"]] == [None]
    assert api.get(ATTEMPTS, {"since": "yesterday"}).status_code == 400


def test_tasks_are_scoped_filtered_and_flag_overdue(
    clock, staff_user, worker_a, worker_b, enterprise_a, enterprise_b
):
    task_open(
        enterprise=enterprise_a,
        kind=Task.Kind.ROUTINE,
        source=Task.Source.PLAN,
        due_on=datetime.date(2026, 11, 20),
    )
    task_open(enterprise=enterprise_b, kind=Task.Kind.INFO_CHECK, source=Task.Source.MANUAL)

    mine = token_client(worker_a).get(TASKS, {"assignee": "me"}).json()
    assert [(t["kind"], t["overdue"], t["assignee"]) for t in mine["results"]] == [
        ("routine", True, worker_a.username)
    ]
    assert token_client(worker_b).get(TASKS, {"kind": "routine"}).json()["count"] == 0
    staff = token_client(staff_user)
    assert staff.get(TASKS).json()["count"] == 2
    assert staff.get(TASKS, {"due": "overdue"}).json()["count"] == 1
    assert staff.get(TASKS, {"assignee": worker_b.username}).json()["count"] == 1
    assert staff.get(TASKS, {"assignee": "nobody_by_that_name"}).status_code == 400


def test_staff_reassign_and_workers_close_tasks_through_the_api(
    clock, staff_user, worker_a, worker_b, enterprise_a
):
    task = task_open(enterprise=enterprise_a, kind=Task.Kind.HANDOVER, source=Task.Source.RULE)
    url = f"{TASKS}{task.pk}/"

    assert token_client(worker_a).patch(url, {"assignee": None}, format="json").status_code == 403
    refused = token_client(staff_user).patch(url, {"assignee": worker_b.username}, format="json")
    assert refused.status_code == 400 and "assignee" in refused.json()["errors"]
    moved = token_client(staff_user).patch(url, {"assignee": None}, format="json")
    assert moved.status_code == 200 and moved.json()["assignee"] is None

    assert token_client(worker_b).post(f"{url}close/", {}, format="json").status_code == 404
    closed = token_client(worker_a).post(f"{url}close/", {"note": "继任者已对接"}, format="json")
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["closed_by"]) == ("done", worker_a.username)
    again = token_client(worker_a).post(f"{url}close/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"]["non_field_errors"] == ["该待办已办结。"]
    assert token_client(worker_a).get(f"{TASKS}abc/").status_code == 404
