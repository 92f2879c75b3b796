"""Protected values leave masked in every normal response, for every role; the full value
only through the reveal endpoint, which checks the permission and logs the view."""

import pytest

from registry.models import SensitiveView
from tests.factories import LiaisonFactory
from tests.registry.api.conftest import full_values

pytestmark = pytest.mark.django_db

ROLES = ["admin_user", "staff_user", "worker_a", "auditor"]


def _reveal(client, enterprise, **body):
    return client.post(
        f"/api/enterprises/{enterprise.uscc}/reveal/",
        body,
        format="json",
        HTTP_USER_AGENT="pytest-agent",
    )


@pytest.mark.parametrize("persona", ROLES)
def test_no_full_protected_value_in_any_normal_response(api, request, full_enterprise, persona):
    client = api(request.getfixturevalue(persona))
    uscc = full_enterprise.uscc
    bodies = [
        client.get(url).content.decode()
        for url in (
            "/api/enterprises/",
            f"/api/enterprises/?q={full_enterprise.current_liaison.mobile}",
            f"/api/enterprises/{uscc}/",
            f"/api/enterprises/{uscc}/history/",
            "/api/liaisons/",
        )
    ]
    if persona != "auditor":
        liaison = full_enterprise.current_liaison
        bodies.append(
            client.patch(
                f"/api/enterprises/{uscc}/liaison/",
                {"version": liaison.version, "wechat": "zhangwei"},
                format="json",
            ).content.decode()
        )
        contact = full_enterprise.emergency_contact
        bodies.append(
            client.patch(
                f"/api/enterprises/{uscc}/emergency-contact/",
                {"version": contact.version, "relation": "股东"},
                format="json",
            ).content.decode()
        )
    text = "\n".join(bodies)
    for value in full_values(full_enterprise):
        assert value not in text, value
    detail = client.get(f"/api/enterprises/{uscc}/").json()
    assert detail["registered_phone"] == "021-****1234"
    assert detail["beneficial_owner"] == "赵**"
    assert detail["current_liaison"]["mobile"] == "139****5678"
    assert detail["current_liaison"]["id_number"].count("*") >= 10
    assert detail["emergency_contact"]["phone"] == "136****3333"


def test_a_stale_edit_does_not_unmask_the_current_values(api, staff_user, full_enterprise):
    client = api(staff_user)
    response = client.patch(
        f"/api/enterprises/{full_enterprise.uscc}/",
        {"version": 99, "beneficial_owner": "钱某", "annual_report_phone": "13800009999"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current"] == {
        "beneficial_owner": "赵**",
        "annual_report_phone": "138****1111",
    }


@pytest.mark.parametrize(
    ("record", "field", "expected"),
    [
        ("enterprise", "registered_phone", "021-65551234"),
        ("enterprise", "beneficial_owner", "赵大富"),
        ("liaison", "mobile", "13912345678"),
        ("emergencycontact", "phone", "13600003333"),
    ],
)
def test_staff_reveal_a_value_and_the_view_is_logged(
    api, staff_user, full_enterprise, record, field, expected
):
    response = _reveal(api(staff_user), full_enterprise, record=record, field=field)
    assert response.status_code == 200, response.json()
    assert response.json()["value"] == expected
    assert response["Cache-Control"] == "no-store"
    logged = SensitiveView.objects.get()
    assert (logged.user, logged.enterprise, logged.record, logged.field) == (
        staff_user,
        full_enterprise,
        record,
        field,
    )
    assert logged.channel == SensitiveView.Channel.API
    assert logged.ip_address == "127.0.0.1"
    assert logged.user_agent == "pytest-agent"


def test_a_past_liaisons_value_is_revealed_by_id(api, staff_user, full_enterprise):
    past = LiaisonFactory(
        enterprise=full_enterprise,
        mobile="13955556666",
        started_on="2020-01-01",
        ended_on="2024-12-31",
    )
    response = _reveal(
        api(staff_user), full_enterprise, record="liaison", field="mobile", id=past.pk
    )
    assert response.json()["value"] == "13955556666"
    assert SensitiveView.objects.get().record_id == str(past.pk)


def test_a_liaison_of_another_enterprise_is_not_found(api, staff_user, full_enterprise):
    other = LiaisonFactory()
    response = _reveal(
        api(staff_user), full_enterprise, record="liaison", field="mobile", id=other.pk
    )
    assert response.status_code == 404
    assert not SensitiveView.objects.exists()


def test_grid_workers_reveal_phones_but_not_id_numbers(api, worker_a, full_enterprise):
    client = api(worker_a)
    assert _reveal(client, full_enterprise, record="liaison", field="mobile").status_code == 200
    for record, field in (("liaison", "id_number"), ("enterprise", "beneficial_owner")):
        response = _reveal(client, full_enterprise, record=record, field=field)
        assert response.status_code == 403
    assert SensitiveView.objects.count() == 1


def test_the_auditor_reveals_nothing(api, auditor, full_enterprise):
    response = _reveal(api(auditor), full_enterprise, record="liaison", field="mobile")
    assert response.status_code == 403
    assert not SensitiveView.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"record": "liaison", "field": "name"}, "field"),
        ({"record": "enterprise", "field": "mobile"}, "field"),
        ({"record": "user", "field": "password"}, "record"),
        ({"record": "liaison"}, "field"),
        ({"record": "liaison", "field": "mobile", "id": "x"}, "id"),
    ],
)
def test_only_protected_fields_can_be_revealed(api, staff_user, full_enterprise, body, field):
    response = _reveal(api(staff_user), full_enterprise, **body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SensitiveView.objects.exists()


def test_the_error_for_an_unprotected_field_is_translated(api, staff_user, full_enterprise):
    zh = _reveal(api(staff_user), full_enterprise, record="liaison", field="name")
    assert zh.json() == {"errors": {"field": ["该字段无法显示。"]}}
    client = api(staff_user, HTTP_ACCEPT_LANGUAGE="en")
    en = _reveal(client, full_enterprise, record="liaison", field="name")
    assert en.json() == {"errors": {"field": ["This field cannot be shown."]}}


def test_revealing_a_missing_record_is_404(api, staff_user, enterprise_a):
    response = _reveal(api(staff_user), enterprise_a, record="emergencycontact", field="phone")
    assert response.status_code == 404
