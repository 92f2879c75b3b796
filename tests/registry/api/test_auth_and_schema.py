"""Tokens, sessions, the OpenAPI schema and the docs page under the site's CSP."""

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.registry.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_username_and_password(staff_user, enterprise_a):
    client = APIClient()
    response = client.post(
        "/api/token/", {"username": "sam_staff", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(key=key).user == staff_user
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/enterprises/").json()["count"] == 1


def test_wrong_credentials_get_no_token(staff_user):
    response = APIClient().post(
        "/api/token/", {"username": "sam_staff", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]
    assert not Token.objects.exists()


@pytest.mark.parametrize("header", ["Token nonsense", "Token", "Token a b", "Bearer x"])
def test_a_bad_token_is_401(header, enterprise_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/enterprises/")
    assert response.status_code == 401
    assert "errors" in response.json()


def test_an_inactive_users_token_stops_working(api, staff_user, enterprise_a):
    client = api(staff_user)
    assert client.get("/api/enterprises/").status_code == 200
    staff_user.is_active = False
    staff_user.save()
    assert client.get("/api/enterprises/").status_code == 401


def test_the_session_of_a_logged_in_user_works_and_needs_csrf_for_writes(staff_user, enterprise_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.get("/api/enterprises/").status_code == 200
    url = f"/api/enterprises/{enterprise_a.uscc}/"
    response = client.patch(url, {"version": 1, "industry": "软件"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"]["detail"][0]


def test_the_schema_is_valid_openapi_3_covering_every_endpoint(api, staff_user):
    response = api(staff_user).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/enterprises/",
        "/api/enterprises/{uscc}/",
        "/api/enterprises/{uscc}/history/",
        "/api/enterprises/{uscc}/liaison/",
        "/api/enterprises/{uscc}/liaison/replace/",
        "/api/enterprises/{uscc}/emergency-contact/",
        "/api/enterprises/{uscc}/reveal/",
        "/api/liaisons/",
        "/api/grid-areas/",
        "/api/token/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/enterprises/{uscc}/emergency-contact/"]) >= {
        "put",
        "patch",
    }
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_schema_needs_a_login(api):
    assert api().get("/api/schema/").status_code == 401


def test_the_docs_page_sends_logged_out_people_to_the_login_page(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_docs_page_loads_only_our_own_scripts_and_styles(client, staff_user):
    """Swagger UI from the sidecar's static files and its start script as a separate
    request: nothing the CSP (script-src 'self', style-src 'self') blocks."""
    client.force_login(staff_user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    # Directives come in no fixed order: compare them whole.
    assert "script-src 'self'" in [part.strip() for part in policy.split(";")]
    assert "unsafe" not in policy
    # Exactly the page's own <style> block is allowed, by its hash.
    assert "style-src 'self' 'sha256-" in policy
    assert "<script>" not in html  # no inline script
    sources = [
        part.split('"')[0]
        for part in html.replace("src=", 'href="').split('href="')[1:]
        if part.startswith(("/", "http"))
    ]
    assert sources, html
    for source in sources:
        assert source.startswith("/"), f"not our origin: {source}"
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
