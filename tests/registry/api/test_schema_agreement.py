"""Where the schema and the API disagreed: each refusal is one the schema announces."""

import pytest

from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db


def test_the_schema_says_what_a_put_of_the_emergency_contact_needs(staff_user, enterprise_a):
    """The schema allowed an empty PUT that the API refused: now both say name and phone."""
    schema = token_client(staff_user).get("/api/schema/", {"format": "json"}).json()
    put = schema["components"]["schemas"]["EmergencyContactWriteRequest"]
    assert {"name", "phone"} <= set(put["required"])
    assert put["properties"]["name"]["minLength"] == 1
    patch = schema["components"]["schemas"]["PatchedEmergencyContactPatchRequest"]
    assert "required" not in patch and patch["properties"]["phone"]["minLength"] == 1
    response = token_client(staff_user).put(
        f"/api/enterprises/{enterprise_a.uscc}/emergency-contact/",
        {"name": "", "relation": "", "phone": None},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "phone"}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/contact-attempts/", "until"),
        ("/api/light-changes/", "since"),
        ("/api/tasks/", "status"),
        ("/api/enterprises/", "page"),
        ("/api/liaisons/", "current"),
    ],
)
def test_an_empty_query_parameter_the_schema_does_not_allow_empty_is_refused(
    staff_user, enterprise_a, path, parameter
):
    response = token_client(staff_user).get(path, {parameter: ""})
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_a_text_filter_may_be_empty(staff_user, enterprise_a):
    assert token_client(staff_user).get("/api/enterprises/", {"q": ""}).status_code == 200
