"""Enterprises: list and filters, detail, history, edits with optimistic concurrency, the
liaison and the emergency contact, registration; errors in the request's language."""

import pytest

from registry import services
from registry.models import EmergencyContact, Enterprise, Liaison
from tests.factories import EnterpriseFactory, GridAreaFactory, LiaisonFactory, valid_uscc

pytestmark = pytest.mark.django_db


def _url(enterprise, suffix: str = "") -> str:
    return f"/api/enterprises/{enterprise.uscc}/{suffix}"


# --- Reading --------------------------------------------------------------------------------


def test_the_list_filters_like_the_list_page(api, staff_user, grid_a, grid_b, enterprise_a):
    EnterpriseFactory(grid=grid_b, name="乙公司", key_taxpayer=True, industry="制造业")
    EnterpriseFactory(
        grid=grid_b, name="丙公司", status=Enterprise.Status.DEREGISTERED, size="micro"
    )
    client = api(staff_user)

    def names(**params) -> list[str]:
        response = client.get("/api/enterprises/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["name"] for row in response.json()["results"])

    assert names() == sorted(["上海甲乙科技有限公司", "乙公司", "丙公司"])
    assert names(q="甲乙") == ["上海甲乙科技有限公司"]
    assert names(q="张伟") == ["上海甲乙科技有限公司"]  # the current liaison's name
    assert names(grid="B") == ["丙公司", "乙公司"]
    assert names(tier="key") == ["乙公司"]
    assert names(tier="general", grid="B") == ["丙公司"]
    assert names(status="deregistered") == ["丙公司"]
    assert names(size="micro") == ["丙公司"]
    assert names(industry="制造业") == ["乙公司"]
    ordered = client.get("/api/enterprises/", {"sort": "-grid"}).json()["results"]
    assert [row["grid"]["code"] for row in ordered] == ["B", "B", "A"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "xyz"},
        {"tier": "vip"},
        {"status": "closed"},
        {"size": "huge"},
        {"page": "abc"},
        {"page": "0"},
        {"page_size": "-3"},
        {"q": "x" * 101},
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(api, staff_user, params):
    response = api(staff_user).get("/api/enterprises/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(params)


def test_pages_hold_50_and_a_client_may_ask_for_up_to_200(api, staff_user, grid_a):
    EnterpriseFactory.create_batch(230, grid=grid_a)
    client = api(staff_user)
    first = client.get("/api/enterprises/").json()
    assert (first["count"], len(first["results"])) == (230, 50)
    assert "page=2" in first["next"]
    assert len(client.get("/api/enterprises/", {"page_size": 500}).json()["results"]) == 200
    assert len(client.get("/api/enterprises/", {"page": 5}).json()["results"]) == 30
    assert client.get("/api/enterprises/", {"page": 6}).status_code == 404
    assert len(client.get("/api/enterprises/", {"page": "last"}).json()["results"]) == 30
    assert client.get("/api/enterprises/", {"page": 10**30}).status_code == 404
    huge = client.get("/api/enterprises/", {"page_size": 10**30}).json()
    assert len(huge["results"]) == 200


def test_the_detail_nests_the_current_liaison_and_the_emergency_contact(
    api, staff_user, full_enterprise
):
    LiaisonFactory(
        enterprise=full_enterprise,
        name="前任",
        started_on="2020-01-01",
        ended_on="2024-12-31",
    )
    data = api(staff_user).get(_url(full_enterprise)).json()
    assert data["uscc"] == full_enterprise.uscc
    assert data["grid"] == {"code": "A", "name": "甲网格"}
    assert data["version"] == full_enterprise.version
    assert data["current_liaison"]["name"] == "张伟"
    assert data["current_liaison"]["is_current"] is True
    assert data["emergency_contact"]["name"] == "王强"
    assert data["tier"] == "general"


def test_an_enterprise_without_liaison_or_contact_has_nulls(api, staff_user, grid_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    data = api(staff_user).get(_url(enterprise)).json()
    assert data["current_liaison"] is None
    assert data["emergency_contact"] is None


@pytest.mark.parametrize(
    "uscc", ["nope", "91310115000000001", "%00", "x" * 500, "91310115000000001U%20", "🙂"]
)
def test_an_unknown_or_malformed_code_is_404(api, staff_user, enterprise_a, uscc):
    response = api(staff_user).get(f"/api/enterprises/{uscc}/")
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["未找到。"]}}


def test_the_code_in_the_url_is_normalised(api, staff_user, enterprise_a):
    response = api(staff_user).get(f"/api/enterprises/{enterprise_a.uscc.lower()}/")
    assert response.status_code == 200


def test_history_tells_who_changed_what_through_which_door(api, staff_user, enterprise_a):
    client = api(staff_user)
    client.patch(_url(enterprise_a), {"version": 1, "industry": "软件"}, format="json")
    entries = client.get(_url(enterprise_a, "history/")).json()["results"]
    last = entries[-1]
    assert last["record"] == "enterprise"
    assert last["action"] == "update"
    assert last["changes"] == {"industry": ["", "软件"]}
    assert (last["door"], last["username"]) == ("staff", "sam_staff")
    assert [e["record"] for e in entries[:2]] == ["enterprise", "liaison"]


def test_history_shows_grid_areas_by_code(api, staff_user, enterprise_a):
    GridAreaFactory(code="C", name="丙网格")
    client = api(staff_user)
    client.patch(_url(enterprise_a), {"version": 1, "grid": "C"}, format="json")
    last = client.get(_url(enterprise_a, "history/")).json()["results"][-1]
    assert last["changes"] == {"grid": ["A", "C"]}


# --- Editing the enterprise -----------------------------------------------------------------


def test_a_patch_changes_the_fields_and_the_version(api, staff_user, enterprise_a):
    response = api(staff_user).patch(
        _url(enterprise_a),
        {"version": 1, "industry": "软件", "registered_phone": "０２１ 6555 1234", "size": "small"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    enterprise_a.refresh_from_db()
    assert (enterprise_a.industry, enterprise_a.size) == ("软件", "small")
    assert enterprise_a.registered_phone == "021-65551234"


def test_a_patch_needs_the_version_it_read(api, staff_user, enterprise_a):
    response = api(staff_user).patch(_url(enterprise_a), {"industry": "软件"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": {"version": ["该字段是必填项。"]}}


def test_a_stale_patch_is_409_with_the_current_values_masked(
    api, staff_user, worker_a, enterprise_a
):
    services.enterprise_update(
        enterprise=enterprise_a, by=worker_a, registered_phone="13812345678", industry="物流"
    )
    response = api(staff_user).patch(
        _url(enterprise_a),
        {"version": 1, "registered_phone": "13899998888", "industry": "软件"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current"] == {"registered_phone": "138****5678", "industry": "物流"}
    assert body["version"] == 2
    assert "non_field_errors" in body["errors"]
    enterprise_a.refresh_from_db()
    assert enterprise_a.industry == "物流"


def test_validation_errors_name_the_field_in_chinese_and_english(api, staff_user, enterprise_a):
    body = {"version": 1, "registered_phone": "12345", "name": ""}
    zh = api(staff_user).patch(_url(enterprise_a), body, format="json").json()["errors"]
    assert set(zh) == {"registered_phone", "name"}
    assert "区号" in zh["registered_phone"][0]
    en_client = api(staff_user, HTTP_ACCEPT_LANGUAGE="en")
    en = en_client.patch(_url(enterprise_a), body, format="json").json()["errors"]
    assert en["registered_phone"][0].startswith("Enter a phone number with its area code")
    assert en["name"] == ["This field cannot be blank."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "one"}, "version"),
        ({"version": 10**40}, "version"),
        ({"version": 1, "key_taxpayer": "perhaps"}, "key_taxpayer"),
        ({"version": 1, "status": "closed"}, "status"),
        ({"version": 1, "grid": "NOPE"}, "grid"),
        ({"version": 1, "grid": {"code": "A"}}, "grid"),
        ({"version": 1, "name": ["a", "b"]}, "name"),
        ({"version": 1, "name": "x" * 100_000}, "name"),
        ({"version": 1, "name": "长" * 201}, "name"),
        ({"version": 1, "name": "a\x00b"}, "name"),
        ({"version": 1, "uscc": valid_uscc()}, "uscc"),
        ({"version": 1, "id": 5}, "id"),
        ({"version": 1, "nonsense": 1}, "nonsense"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, staff_user, enterprise_a, body, field):
    response = api(staff_user).patch(_url(enterprise_a), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_unknown_fields_are_named_in_chinese(api, staff_user, enterprise_a):
    response = api(staff_user).patch(
        _url(enterprise_a), {"version": 1, "colour": "red"}, format="json"
    )
    assert response.json() == {"errors": {"colour": ["未知字段：colour"]}}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"version": 1',
        b"[1, 2]",
        b'"text"',
        b"null",
        b"[" * 50_000,
        b'{"name": "\\ud800"}',
        b'{"version": NaN}',
    ],
)
def test_malformed_json_is_a_400(api, staff_user, enterprise_a, raw):
    response = api(staff_user).generic(
        "PATCH", _url(enterprise_a), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "errors" in response.json()


def test_a_body_that_is_not_json_is_415(api, staff_user, enterprise_a):
    response = api(staff_user).patch(_url(enterprise_a), {"version": 1}, format="multipart")
    assert response.status_code == 415


def test_a_body_over_the_upload_limit_is_413(api, staff_user, enterprise_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = b'{"version": 1, "industry": "' + b"x" * 2000 + b'"}'
    response = api(staff_user).generic(
        "PATCH", _url(enterprise_a), body, content_type="application/json"
    )
    assert response.status_code == 413


# --- The liaison ----------------------------------------------------------------------------


def test_the_current_liaisons_details_are_corrected_with_their_version(
    api, staff_user, enterprise_a
):
    liaison = enterprise_a.current_liaison
    client = api(staff_user)
    response = client.patch(
        _url(enterprise_a, "liaison/"),
        {"version": liaison.version, "mobile": "+86 139-8888-7777", "email": "Zhang@Example.COM"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["mobile"] == "139****7777"
    liaison.refresh_from_db()
    assert (liaison.mobile, liaison.version) == ("13988887777", 2)
    stale = client.patch(
        _url(enterprise_a, "liaison/"), {"version": 1, "name": "张卫"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current"] == {"name": "张伟"}


def test_liaison_errors_name_the_field(api, staff_user, enterprise_a):
    response = api(staff_user, HTTP_ACCEPT_LANGUAGE="en").patch(
        _url(enterprise_a, "liaison/"),
        {"version": 1, "mobile": "12345", "id_number": "110105194912310021"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["mobile"][0].startswith("Enter an 11-digit mainland mobile number")
    assert "id_number" in errors


def test_an_enterprise_without_a_current_liaison_has_none_to_correct(api, staff_user, grid_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    response = api(staff_user).patch(_url(enterprise, "liaison/"), {"version": 1}, format="json")
    assert response.status_code == 404


def test_replacing_the_liaison_ends_the_old_period(api, staff_user, enterprise_a):
    old = enterprise_a.current_liaison
    response = api(staff_user).post(
        _url(enterprise_a, "liaison/replace/"),
        {
            "name": "李娜",
            "mobile": "13911112222",
            "position": "行政主管",
            "started_on": "2026-03-02",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "李娜"
    assert response.json()["mobile"] == "139****2222"
    old.refresh_from_db()
    assert old.ended_on is not None
    current = Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True)
    assert (current.name, str(current.started_on)) == ("李娜", "2026-03-02")


def test_a_bad_replacement_changes_nothing(api, staff_user, enterprise_a):
    response = api(staff_user).post(
        _url(enterprise_a, "liaison/replace/"), {"name": "李娜", "mobile": "1"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["mobile"]
    assert enterprise_a.current_liaison.name == "张伟"
    assert Liaison.objects.filter(enterprise=enterprise_a).count() == 1


# --- The emergency contact -------------------------------------------------------------------


def test_put_creates_then_patch_changes_the_emergency_contact(api, staff_user, enterprise_a):
    client = api(staff_user)
    url = _url(enterprise_a, "emergency-contact/")
    created = client.put(url, {"name": "王强", "phone": "13600002222"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["phone"] == "136****2222"
    changed = client.patch(url, {"relation": "股东秘书", "version": 1}, format="json")
    assert changed.status_code == 200
    contact = EmergencyContact.objects.get(enterprise=enterprise_a)
    assert (contact.name, contact.relation, contact.version) == ("王强", "股东秘书", 2)
    # Once it exists, every change carries the version it read.
    assert client.patch(url, {"relation": "配偶"}, format="json").status_code == 400
    stale = client.patch(url, {"relation": "配偶", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"] == {"relation": "股东秘书"}


def test_put_replaces_every_field(api, staff_user, full_enterprise):
    url = _url(full_enterprise, "emergency-contact/")
    response = api(staff_user).put(url, {"name": "赵六", "version": 1}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["phone"]
    # The phone sent back masked as it was read means "keep it".
    shown = api(staff_user).get(_url(full_enterprise)).json()["emergency_contact"]["phone"]
    response = api(staff_user).put(
        url, {"name": "赵六", "phone": shown, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    contact = EmergencyContact.objects.get(enterprise=full_enterprise)
    assert (contact.name, contact.relation, contact.phone) == ("赵六", "", "13600003333")


# --- Registering ----------------------------------------------------------------------------


def test_an_enterprise_is_registered_with_its_liaison_and_contact(api, staff_user, grid_a):
    uscc = valid_uscc()
    response = api(staff_user).post(
        "/api/enterprises/",
        {
            "uscc": f" {uscc.lower()} ",
            "name": "上海新企业有限公司",
            "registered_address": "张江路1号",
            "grid": "A",
            "key_taxpayer": True,
            "liaison": {"name": "李娜", "mobile": "13911112222"},
            "emergency_contact": {"name": "王强", "phone": "13600002222"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["uscc"] == uscc
    assert data["tier"] == "key"
    assert data["current_liaison"]["mobile"] == "139****2222"
    assert data["emergency_contact"]["phone"] == "136****2222"
    entries = api(staff_user).get(f"/api/enterprises/{uscc}/history/").json()["results"]
    assert {e["username"] for e in entries} == {"sam_staff"}


def test_registration_errors_name_nested_fields_and_nothing_is_kept(api, staff_user, grid_a):
    uscc = valid_uscc()
    response = api(staff_user).post(
        "/api/enterprises/",
        {
            "uscc": uscc,
            "name": "上海新企业有限公司",
            "registered_address": "张江路1号",
            "liaison": {"name": "李娜", "mobile": "123"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["liaison"]
    assert list(response.json()["errors"]["liaison"]) == ["mobile"]
    assert not Enterprise.objects.filter(uscc=uscc).exists()


def test_registration_needs_a_valid_unused_code(api, staff_user, enterprise_a):
    client = api(staff_user, HTTP_ACCEPT_LANGUAGE="en")
    base = {"name": "上海新企业有限公司", "registered_address": "张江路1号"}
    missing = client.post("/api/enterprises/", base, format="json").json()["errors"]
    assert list(missing) == ["uscc"]
    wrong = client.post(
        "/api/enterprises/", {**base, "uscc": "91310115000000001A"}, format="json"
    ).json()["errors"]
    assert "check character" in wrong["uscc"][0]
    taken = client.post(
        "/api/enterprises/", {**base, "uscc": enterprise_a.uscc}, format="json"
    ).json()["errors"]
    assert list(taken) == ["uscc"]
