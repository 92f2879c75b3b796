"""An account an admin creates (or whose password an admin resets) changes its password at
the first login before anything else, on the pages and the API."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import AccountSecurity
from registry.roles import Role, role_group

pytestmark = pytest.mark.django_db

SET_BY_ADMIN = "Given-by-admin-1"
OWN = "My-own-secret-77"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _create_in_the_admin(admin_client, username="new_staff", password=SET_BY_ADMIN):
    return admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": username,
            "usable_password": "true",
            "password1": password,
            "password2": password,
            "_save": "Save",
        },
    )


@pytest.fixture
def new_staff(admin_client):
    response = _create_in_the_admin(admin_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="new_staff")
    user.groups.set([role_group(Role.STAFF)])
    admin_client.logout()
    return user


def test_an_account_created_in_the_admin_must_change_its_password(new_staff):
    assert AccountSecurity.objects.get(user=new_staff).password_change_required


def test_the_admin_set_password_must_meet_the_policy(admin_client):
    response = _create_in_the_admin(admin_client, password="short1")
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="new_staff").exists()


def test_the_first_login_leads_to_the_password_page_and_nowhere_else(client, new_staff):
    response = client.post("/accounts/login/", {"username": "new_staff", "password": SET_BY_ADMIN})
    assert response.status_code == 302
    for url in ("/", reverse("registry:enterprises"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:password_change")), url
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert 'data-testid="password-change-required"' in page
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": SET_BY_ADMIN, "new_password1": OWN, "new_password2": OWN},
    )
    assert response.status_code == 302
    assert client.get(reverse("registry:enterprises")).status_code == 200
    record = AccountSecurity.objects.get(user=new_staff)
    assert not record.password_change_required and record.password_changed_at is not None
    # And at the next login nothing is asked any more.
    client.logout()
    client.post("/accounts/login/", {"username": "new_staff", "password": OWN})
    assert client.get("/").status_code == 200


def test_the_api_gives_no_token_until_the_password_is_changed(client, new_staff):
    api = APIClient()
    body = {"username": "new_staff", "password": SET_BY_ADMIN}
    response = api.post("/api/token/", body, format="json")
    assert response.status_code == 403
    assert "管理员" in response.json()["errors"]["detail"][0]
    assert not Token.objects.filter(user=new_staff).exists()

    client.post("/accounts/login/", body)
    # The session of the pending user does not open the API either.
    response = client.get("/api/enterprises/")
    assert response.status_code == 403
    assert "修改" in response.json()["errors"]["detail"][0]
    client.post(
        reverse("accounts:password_change"),
        {"old_password": SET_BY_ADMIN, "new_password1": OWN, "new_password2": OWN},
    )
    assert client.get("/api/enterprises/").status_code == 200
    response = api.post("/api/token/", {"username": "new_staff", "password": OWN}, format="json")
    assert response.status_code == 200


def test_a_password_reset_by_an_admin_must_be_changed_and_ends_the_old_token(
    client, admin_user, staff_user
):
    token = Token.objects.create(user=staff_user)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[staff_user.pk]),
        {"usable_password": "true", "password1": SET_BY_ADMIN, "password2": SET_BY_ADMIN},
    )
    assert response.status_code == 302
    assert AccountSecurity.objects.get(user=staff_user).password_change_required
    assert not Token.objects.filter(pk=token.pk).exists()


def test_an_admin_changing_their_own_password_in_the_admin_is_not_forced(client, admin_user):
    client.force_login(admin_user)
    client.post(
        reverse("admin:auth_user_password_change", args=[admin_user.pk]),
        {"usable_password": "true", "password1": OWN, "password2": OWN},
    )
    assert not AccountSecurity.objects.filter(
        user=admin_user, password_change_required=True
    ).exists()


def test_anyone_may_change_their_own_password(client, staff_user):
    from tests.registry.api.conftest import PASSWORD

    client.force_login(staff_user)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": OWN, "new_password2": OWN},
    )
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password(OWN)
    assert client.get("/").status_code == 200  # still logged in
