"""POST /api/matters/: the desk's rules for other systems, a 400 naming the field."""

import pytest

from outreach.matters.models import Matter
from tests.factories import EnterpriseFactory
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

URL = "/api/matters/"


def test_a_system_hands_in_a_matter_from_the_liaison(staff_user, enterprise_a, tax):
    response = token_client(staff_user).post(
        URL,
        {
            "enterprise": enterprise_a.uscc,
            "from_liaison": True,
            "category": tax.pk,
            "description": "热线转来：咨询出口退税",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    matter = Matter.objects.get()
    assert body["number"] == matter.number
    assert body["channel"] == "api" and body["state"] == "received"
    assert body["requester_phone"] == "139****5678"
    assert matter.liaison == enterprise_a.current_liaison


def test_an_unidentified_caller_needs_a_name_or_phone(staff_user, tax):
    client = token_client(staff_user)
    response = client.post(URL, {"category": tax.pk, "description": "来电"}, format="json")
    assert response.status_code == 400
    assert "enterprise" in response.json()["errors"]
    ok = client.post(
        URL,
        {"category": tax.pk, "description": "来电", "requester_phone": "13800138000"},
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["enterprise"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x"}, "category"),
        ({"category": 999999, "description": "x", "requester_name": "王"}, "category"),
        ({"category": "٣", "description": "x"}, "category"),
        ({"description": "", "requester_name": "王"}, "description"),
        ({"channel": "fax", "description": "x", "requester_name": "王"}, "channel"),
        ({"enterprise": "NOPE", "description": "x"}, "enterprise"),
        ({"from_liaison": True, "description": "x"}, "from_liaison"),
        ({"requester_phone": "12", "description": "x"}, "requester_phone"),
        ({"colour": "red", "description": "x", "requester_name": "王"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(staff_user, tax, body, field):
    body = {"category": tax.pk, **body} if field != "category" else body
    response = token_client(staff_user).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Matter.objects.exists()


def test_a_grid_worker_cannot_name_another_grids_enterprise(worker_b, enterprise_a, tax):
    response = token_client(worker_b).post(
        URL,
        {"enterprise": enterprise_a.uscc, "category": tax.pk, "description": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "enterprise" in response.json()["errors"]


def test_auditors_and_strangers_cannot_take_in(auditor, tax):
    body = {"category": tax.pk, "description": "x", "requester_name": "王"}
    assert token_client(auditor).post(URL, body, format="json").status_code == 403
    assert token_client().post(URL, body, format="json").status_code == 401


def test_the_schema_describes_it(staff_user):
    schema = token_client(staff_user).get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/matters/"]["post"]
    assert "201" in post["responses"] and "400" in post["responses"]
    assert {"category", "description"} <= set(
        schema["components"]["schemas"]["MatterCreateRequest"]["required"]
    )


def test_another_grids_enterprise_exists_but_is_not_named(worker_a, tax):
    other = EnterpriseFactory()
    response = token_client(worker_a).post(
        URL, {"enterprise": other.uscc, "category": tax.pk, "description": "x"}, format="json"
    )
    assert response.status_code == 400
