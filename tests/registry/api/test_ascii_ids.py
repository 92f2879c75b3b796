"""Ids in paths and query strings are ASCII digits only (registry/ids.py): "٣" is not 3 and
"¹" is not a server error, on the API and on the pages alike."""

import pytest

from outreach.models import Task
from outreach.services import task_open
from registry.ids import parse_id
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

OTHER_DIGITS = ["٣", "¹", "３", "۳", "-1", "1.0", " 1", "0x1", ""]


@pytest.mark.parametrize("text", OTHER_DIGITS)
def test_only_ascii_digits_spell_an_id(text):
    assert parse_id(text) is None


def test_ascii_digits_spell_an_id():
    assert parse_id("3") == 3 and parse_id("0003") == 3 and parse_id(3) == 3
    assert parse_id("9" * 19) is None  # past a bigint


@pytest.fixture
def task(enterprise_a):
    return task_open(enterprise=enterprise_a, kind=Task.Kind.ROUTINE, source=Task.Source.PLAN)


@pytest.mark.parametrize("spelling", ["٣", "¹", "３", "-1", "9" * 30])
def test_a_task_id_in_other_digits_is_not_found_as_json(staff_user, task, spelling):
    response = token_client(staff_user).get(f"/api/tasks/{spelling}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": {"detail": ["未找到。"]}}


def test_a_task_in_ascii_digits_is_found(staff_user, task):
    assert token_client(staff_user).get(f"/api/tasks/{task.pk}/").status_code == 200


def test_an_arabic_indic_task_id_does_not_open_the_task(staff_user, task):
    arabic = str(task.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert token_client(staff_user).get(f"/api/tasks/{arabic}/").status_code == 404


# Not named "page": that is pytest-playwright's fixture, and asking for it would make this a
# browser test (run with them, and before the tests that must not follow them).
@pytest.mark.parametrize("number", ["", "٣", "¹", "0", "-1"])
def test_a_page_number_must_be_ascii_digits_from_one(staff_user, enterprise_a, number):
    response = token_client(staff_user).get("/api/enterprises/", {"page": number})
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_a_page_that_matches_no_route_is_the_sites_404_page(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/users/٣/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_pages_id_filters_read_ascii_digits_only(client, staff_user, task):
    client.force_login(staff_user)
    assignee = str(staff_user.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.get("/tasks/", {"assignee": assignee}).status_code == 200
    assert client.get("/tasks/", {"assignee": "¹"}).status_code == 200
    # "¹" passes str.isdigit() but not int(): it was a server error.
    response = client.post(
        f"/enterprises/{task.enterprise.uscc}/self-service-link/revoke/", {"link": "¹"}
    )
    assert response.status_code == 400


# Zero in Arabic-Indic, full-width and Persian digits.
@pytest.mark.parametrize("zero", ["\u0660", "\uff10", "\u06f0"])
def test_a_record_chosen_in_a_form_must_be_spelled_in_ascii_digits(staff_user, zero):
    from outreach.forms import TaskReassignForm

    # The user's own id in another script's digits: Python's int() would read it.
    spelling = str(staff_user.pk).translate({ord("0") + d: ord(zero) + d for d in range(10)})
    assert int(spelling) == staff_user.pk
    assignees = type(staff_user).objects.all()
    form = TaskReassignForm(data={"assignee": spelling}, assignees=assignees)
    assert not form.is_valid()
    assert "assignee" in form.errors
    form = TaskReassignForm(data={"assignee": str(staff_user.pk)}, assignees=assignees)
    assert form.is_valid(), form.errors


def test_grid_workers_chosen_in_a_form_must_be_spelled_in_ascii_digits(worker_a):
    from registry.forms import GridAreaForm

    form = GridAreaForm(data={"code": "Z", "name": "丙网格", "workers": ["٣"]})
    assert not form.is_valid() and "workers" in form.errors
