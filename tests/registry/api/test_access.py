"""Who may call what: every role, anonymous and a user without a role; grid scoping."""

import pytest

from registry.models import Enterprise, Liaison
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_uscc

pytestmark = pytest.mark.django_db


def _reads(uscc: str) -> list[str]:
    return [
        "/api/enterprises/",
        f"/api/enterprises/{uscc}/",
        f"/api/enterprises/{uscc}/history/",
        "/api/liaisons/",
        "/api/grid-areas/",
    ]


def _writes(enterprise) -> list[tuple[str, str, dict]]:
    uscc = enterprise.uscc
    liaison = enterprise.current_liaison
    return [
        ("patch", f"/api/enterprises/{uscc}/", {"version": 1, "industry": "软件"}),
        ("patch", f"/api/enterprises/{uscc}/liaison/", {"version": liaison.version}),
        (
            "post",
            f"/api/enterprises/{uscc}/liaison/replace/",
            {"name": "李娜", "mobile": "13911112222"},
        ),
        (
            "put",
            f"/api/enterprises/{uscc}/emergency-contact/",
            {"name": "王强", "phone": "13600002222"},
        ),
        ("patch", f"/api/enterprises/{uscc}/emergency-contact/", {"relation": "股东秘书"}),
    ]


def _new_enterprise() -> dict:
    return {"uscc": valid_uscc(), "name": "上海新企业有限公司", "registered_address": "张江路1号"}


def test_anonymous_gets_401_everywhere(api, enterprise_a):
    client = api()
    for url in _reads(enterprise_a.uscc):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert "detail" in response.json()["errors"]
    for method, url, body in _writes(enterprise_a):
        assert getattr(client, method)(url, body, format="json").status_code == 401, url
    reveal = {"record": "liaison", "field": "mobile"}
    response = client.post(f"/api/enterprises/{enterprise_a.uscc}/reveal/", reveal, format="json")
    assert response.status_code == 401
    assert client.post("/api/enterprises/", _new_enterprise(), format="json").status_code == 401


def test_anonymous_is_not_redirected_to_the_login_page(client, enterprise_a):
    response = client.get("/api/enterprises/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_a_user_without_a_role_may_do_nothing(api, nobody, enterprise_a):
    client = api(nobody)
    for url in _reads(enterprise_a.uscc):
        assert client.get(url).status_code == 403, url
    for method, url, body in _writes(enterprise_a):
        assert getattr(client, method)(url, body, format="json").status_code == 403, url


@pytest.mark.parametrize("persona", ["admin_user", "staff_user", "worker_a", "auditor"])
def test_readers_of_grid_a_see_enterprise_a(api, request, enterprise_a, persona):
    client = api(request.getfixturevalue(persona))
    for url in _reads(enterprise_a.uscc):
        assert client.get(url).status_code == 200, url
    listed = client.get("/api/enterprises/").json()
    assert [row["uscc"] for row in listed["results"]] == [enterprise_a.uscc]


def test_the_auditor_reads_but_every_write_is_refused(api, auditor, enterprise_a):
    client = api(auditor)
    for method, url, body in _writes(enterprise_a):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, url
    assert client.post("/api/enterprises/", _new_enterprise(), format="json").status_code == 403
    reveal = {"record": "liaison", "field": "mobile"}
    response = client.post(f"/api/enterprises/{enterprise_a.uscc}/reveal/", reveal, format="json")
    assert response.status_code == 403
    enterprise_a.refresh_from_db()
    assert enterprise_a.version == 1
    assert Liaison.objects.filter(enterprise=enterprise_a).count() == 1


@pytest.mark.parametrize("persona", ["admin_user", "staff_user", "worker_a"])
def test_editors_of_grid_a_may_write_to_enterprise_a(api, request, enterprise_a, persona):
    client = api(request.getfixturevalue(persona))
    for method, url, body in _writes(enterprise_a):
        if "liaison/" in url and method == "patch":
            body = {"version": enterprise_a.current_liaison.version}
        if url.endswith("emergency-contact/") and method == "patch":
            body = {"relation": "股东秘书", "version": enterprise_a.emergency_contact.version}
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (200, 201), (url, response.json())
        enterprise_a.refresh_from_db()


@pytest.mark.parametrize("persona", ["admin_user", "staff_user"])
def test_admins_and_staff_register_enterprises(api, request, grid_a, persona):
    body = {**_new_enterprise(), "grid": "A"}
    response = api(request.getfixturevalue(persona)).post("/api/enterprises/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Enterprise.objects.get(uscc=body["uscc"]).grid == grid_a


def test_grid_workers_do_not_register_enterprises(api, worker_a, grid_a):
    body = {**_new_enterprise(), "grid": "A"}
    assert api(worker_a).post("/api/enterprises/", body, format="json").status_code == 403
    assert not Enterprise.objects.filter(uscc=body["uscc"]).exists()


def test_grid_worker_b_sees_nothing_of_grid_a(api, worker_b, grid_b, enterprise_a):
    EnterpriseFactory(grid=grid_b, name="乙网格的企业")
    client = api(worker_b)
    listed = client.get("/api/enterprises/").json()
    assert listed["count"] == 1
    assert enterprise_a.uscc not in {row["uscc"] for row in listed["results"]}
    # Searching by A's name, code or liaison finds nothing either.
    for q in ("甲乙科技", enterprise_a.uscc, "张伟", "13912345678"):
        assert client.get("/api/enterprises/", {"q": q}).json()["count"] == 0, q
    assert client.get("/api/enterprises/", {"grid": "A"}).json()["count"] == 0
    for suffix in ("", "history/"):
        response = client.get(f"/api/enterprises/{enterprise_a.uscc}/{suffix}")
        assert response.status_code == 404
    liaisons = client.get("/api/liaisons/").json()
    assert liaisons["count"] == 0
    assert client.get("/api/liaisons/", {"enterprise": enterprise_a.uscc}).json()["count"] == 0
    grids = client.get("/api/grid-areas/").json()
    assert [(g["code"], g["enterprise_count"]) for g in grids["results"]] == [("B", 1)]


def test_grid_worker_b_cannot_write_to_or_reveal_grid_a(api, worker_b, enterprise_a):
    client = api(worker_b)
    for method, url, body in _writes(enterprise_a):
        assert getattr(client, method)(url, body, format="json").status_code == 404, url
    reveal = {"record": "liaison", "field": "mobile"}
    response = client.post(f"/api/enterprises/{enterprise_a.uscc}/reveal/", reveal, format="json")
    assert response.status_code == 404
    assert enterprise_a.sensitive_views.count() == 0


def test_grid_worker_counts_cover_only_their_grids(api, worker_a, grid_a, grid_b, enterprise_a):
    for _ in range(3):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_b))
    EnterpriseFactory(grid=grid_a)
    client = api(worker_a)
    assert client.get("/api/enterprises/").json()["count"] == 2
    assert client.get("/api/liaisons/").json()["count"] == 1
    grids = client.get("/api/grid-areas/").json()["results"]
    assert [(g["code"], g["enterprise_count"]) for g in grids] == [("A", 2)]


def test_grid_workers_may_not_move_enterprises_or_mark_them_key(
    api, worker_a, grid_b, enterprise_a
):
    client = api(worker_a)
    url = f"/api/enterprises/{enterprise_a.uscc}/"
    for body in ({"grid": "B"}, {"marked_key": True}):
        response = client.patch(url, {"version": 1, **body}, format="json")
        assert response.status_code == 403
        assert list(response.json()["errors"]) == list(body)
    enterprise_a.refresh_from_db()
    assert enterprise_a.grid.code == "A"
    assert not enterprise_a.marked_key


def test_grid_workers_may_not_write_values_they_may_not_see(api, worker_a, full_enterprise):
    client = api(worker_a)
    url = f"/api/enterprises/{full_enterprise.uscc}/"
    response = client.patch(url, {"version": 1, "beneficial_owner": "钱某"}, format="json")
    assert response.status_code == 403
    assert list(response.json()["errors"]) == ["beneficial_owner"]
    response = client.post(
        f"/api/enterprises/{full_enterprise.uscc}/liaison/replace/",
        {"name": "李娜", "mobile": "13911112222", "id_number": "11010519491231002X"},
        format="json",
    )
    assert response.status_code == 403
    assert list(response.json()["errors"]) == ["id_number"]
    # Sending back the masked value as it was read is no change, and allowed.
    shown = client.get(url).json()
    response = client.patch(
        url,
        {"version": 1, "beneficial_owner": shown["beneficial_owner"], "industry": "软件"},
        format="json",
    )
    assert response.status_code == 200
    full_enterprise.refresh_from_db()
    assert full_enterprise.beneficial_owner == "赵大富"
    assert full_enterprise.industry == "软件"


def test_staff_may_move_an_enterprise_to_another_grid(api, staff_user, grid_b, enterprise_a):
    url = f"/api/enterprises/{enterprise_a.uscc}/"
    response = api(staff_user).patch(url, {"version": 1, "grid": "B"}, format="json")
    assert response.status_code == 200
    assert response.json()["grid"] == {"code": "B", "name": grid_b.name}


def test_liaisons_filter_by_enterprise_and_period(api, staff_user, enterprise_a):
    LiaisonFactory(
        enterprise=enterprise_a, name="前任", started_on="2020-01-01", ended_on="2024-12-31"
    )
    LiaisonFactory()
    client = api(staff_user)

    def names(**params) -> list[str]:
        response = client.get("/api/liaisons/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["name"] for row in response.json()["results"])

    assert names(enterprise=enterprise_a.uscc) == ["前任", "张伟"]
    assert names(enterprise=enterprise_a.uscc, current="true") == ["张伟"]
    assert names(enterprise=enterprise_a.uscc, current="false") == ["前任"]
    for params in ({"enterprise": "nope"}, {"current": "perhaps"}):
        response = client.get("/api/liaisons/", params)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == list(params)
