"""Park admins manage accounts on the portal's users page: create them with a role and grid
areas, reset passwords, switch accounts off; every action is a row of the security log."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import AccountSecurity
from core.errors import ServiceError
from registry import services
from registry.models import SecurityEvent
from registry.roles import Role, user_role
from tests.conftest import _user

pytestmark = pytest.mark.django_db

Action = SecurityEvent.Action
User = get_user_model()


def _rows(action, **filters):
    return list(SecurityEvent.objects.filter(action=action, **filters).order_by("id"))


def _create(client, **data):
    return client.post(
        reverse("registry:user_new"),
        {"username": "zhou_grid", "name": "周敏", "role": Role.GRID_WORKER.value, **data},
        REMOTE_ADDR="10.0.0.7",
    )


def test_an_admin_creates_a_grid_worker_with_grids_and_sees_the_password_once(
    client, admin_user, grid_a, grid_b
):
    client.force_login(admin_user)
    response = _create(client, grid_areas=[grid_a.pk, grid_b.pk], email="zhou@park.example")
    account = User.objects.get(username="zhou_grid")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:user_edit", args=[account.pk])
    assert user_role(account) == Role.GRID_WORKER and account.first_name == "周敏"
    assert {g.code for g in account.grid_areas.all()} == {"A", "B"}
    assert not account.is_staff

    page = client.get(response["Location"])
    password = page.context["one_time_password"]
    assert password and password in page.content.decode()
    account.refresh_from_db()
    assert account.check_password(password)
    assert AccountSecurity.objects.get(user=account).password_change_required
    # Shown once: the next visit no longer has it.
    again = client.get(response["Location"])
    assert again.context["one_time_password"] is None
    assert password not in again.content.decode()

    for action in (Action.USER_CREATED, Action.ROLE_CHANGED, Action.PASSWORD_SET_BY_ADMIN):
        [row] = _rows(action, target="zhou_grid")
        assert row.user == admin_user and row.address == "10.0.0.7", action
    assert {r.target for r in _rows(Action.GRID_CHANGED)} == {"A", "B"}
    assert all(
        r.detail == {"workers_added": ["zhou_grid"], "workers_removed": []}
        for r in _rows(Action.GRID_CHANGED)
    )


def test_the_new_user_must_change_the_password_at_first_login(client, admin_user):
    client.force_login(admin_user)
    _create(client)
    account = User.objects.get(username="zhou_grid")
    password = client.get(reverse("registry:user_edit", args=[account.pk])).context[
        "one_time_password"
    ]
    client.logout()
    response = client.post(reverse("login"), {"username": "zhou_grid", "password": password})
    assert response.status_code == 302
    home = client.get(reverse("registry:enterprises"))
    assert home.status_code == 302 and reverse("accounts:password_change") in home["Location"]


def test_a_taken_username_is_refused_beside_the_field(client, admin_user, staff_user):
    client.force_login(admin_user)
    response = _create(client, username="SAM_STAFF")
    assert response.status_code == 400
    assert "username" in response.context["form"].errors
    assert not _rows(Action.USER_CREATED, target="SAM_STAFF")


def test_a_bad_username_is_a_form_error_not_a_500(client, admin_user):
    client.force_login(admin_user)
    response = _create(client, username="周 敏!")
    assert response.status_code == 400
    assert not User.objects.filter(first_name="周敏").exists()


def test_an_admin_resets_a_password_and_the_old_one_stops_working(client, admin_user, staff_user):
    staff_user.set_password("Old-Password-42")
    staff_user.save()
    client.force_login(admin_user)
    response = client.post(reverse("registry:user_password_reset", args=[staff_user.pk]))
    assert response.status_code == 302
    password = client.get(response["Location"]).context["one_time_password"]
    staff_user.refresh_from_db()
    assert staff_user.check_password(password) and not staff_user.check_password("Old-Password-42")
    assert AccountSecurity.objects.get(user=staff_user).password_change_required
    [row] = _rows(Action.PASSWORD_SET_BY_ADMIN, target="sam_staff")
    assert row.user == admin_user


def test_an_admin_cannot_reset_their_own_password_here(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("registry:user_password_reset", args=[admin_user.pk]))
    assert response.status_code == 302
    assert not _rows(Action.PASSWORD_SET_BY_ADMIN)
    assert client.get(response["Location"]).context["one_time_password"] is None


def test_an_admin_changes_a_users_grids_and_switches_them_off(
    client, admin_user, worker_a, grid_a, grid_b
):
    worker_a.set_password("Grid-Worker-42")
    worker_a.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("registry:user_edit", args=[worker_a.pk]),
        {"role": Role.GRID_WORKER.value, "grid_areas": [grid_b.pk]},  # is_active unticked
    )
    assert response.status_code == 302
    worker_a.refresh_from_db()
    assert not worker_a.is_active
    assert [g.code for g in worker_a.grid_areas.all()] == ["B"]
    [off] = _rows(Action.USER_DEACTIVATED, target="wang_grid_a")
    assert off.user == admin_user
    details = {r.target: r.detail for r in _rows(Action.GRID_CHANGED)}
    assert details == {
        "A": {"workers_added": [], "workers_removed": ["wang_grid_a"]},
        "B": {"workers_added": ["wang_grid_a"], "workers_removed": []},
    }
    # A switched-off account cannot log in.
    client.logout()
    login = client.post(reverse("login"), {"username": "wang_grid_a", "password": "Grid-Worker-42"})
    assert login.status_code == 200 and "_auth_user_id" not in client.session


def test_an_admin_cannot_switch_off_their_own_account(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("registry:user_edit", args=[admin_user.pk]), {"role": Role.ADMIN.value}
    )
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not _rows(Action.USER_DEACTIVATED)


def test_the_last_active_admin_cannot_be_switched_off_or_demoted(admin_user):
    other = _user("bo_admin", Role.ADMIN, is_staff=True)
    services.user_role_set(user=other, role=Role.STAFF, is_active=True, by=admin_user)
    assert user_role(other) == Role.STAFF
    # Some other door (a command, a script) acting on the one admin left:
    for role, active in ((Role.STAFF, True), (Role.ADMIN, False)):
        with pytest.raises(ServiceError) as refused:
            services.user_role_set(user=admin_user, role=role, is_active=active, by=other)
        assert refused.value.code == "last_admin"
    admin_user.refresh_from_db()
    assert admin_user.is_active and user_role(admin_user) == Role.ADMIN


def test_a_demoted_superuser_is_an_admin_no_more(admin_user):
    other = _user("bo_admin", Role.ADMIN, is_staff=True, is_superuser=True)
    services.user_role_set(user=other, role=Role.AUDITOR, is_active=True, by=admin_user)
    other = User.objects.get(pk=other.pk)
    assert (other.is_superuser, other.is_staff, user_role(other)) == (False, False, Role.AUDITOR)


@pytest.mark.parametrize("persona", ["staff_user", "worker_a", "auditor"])
def test_only_park_admins_manage_users(client, request, persona, staff_user):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("registry:user_new")).status_code == 403
    assert _create(client).status_code == 403
    reset = client.post(reverse("registry:user_password_reset", args=[staff_user.pk]))
    assert reset.status_code == 403
    assert not User.objects.filter(username="zhou_grid").exists()
    assert not _rows(Action.PASSWORD_SET_BY_ADMIN)


def test_the_users_page_speaks_english_too(client, admin_user):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("registry:user_new")).content.decode()
    assert "New account" in page and "One-time" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("registry:user_new")).content.decode()
    assert "新建账号" in page
