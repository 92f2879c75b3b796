import pytest
from django.urls import reverse

from registry.roles import Role

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admin_site_is_not_open_to_anonymous_visitors(client):
    response = client.get("/admin/registry/enterprise/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_login_page_is_in_chinese_first(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "登录" in content
    assert 'lang="zh-hans"' in content


def test_the_language_switch_turns_the_login_page_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    content = client.get(reverse("login")).content.decode()
    assert "Log in" in content
    assert 'lang="en"' in content


def test_a_wrong_password_gets_a_clear_message(client, staff_user):
    response = client.post(reverse("login"), {"username": "sam_staff", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "role_label", "ability"),
    [
        ("admin_user", "园区管理员", "管理网格、用户及其角色"),
        ("staff_user", "园区服务专员", "处理整个名册"),
        ("worker_a", "网格员", "处理您所负责网格内的企业"),
        ("auditor", "审计员（只读）", "敏感字段保持遮蔽"),
    ],
)
def test_home_says_who_you_are_and_what_your_role_lets_you_do(
    client, request, persona, role_label, ability
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    content = client.get(reverse("home")).content.decode()

    assert user.username in content
    assert role_label in content
    assert ability in content


def test_a_grid_worker_sees_their_grid_areas_on_home(client, worker_a):
    client.force_login(worker_a)
    assert "甲网格" in client.get(reverse("home")).content.decode()


def test_a_user_without_a_role_is_told_to_ask_an_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert "管理员" in client.get(reverse("home")).content.decode()


def test_logout_ends_the_session(client, staff_user):
    client.force_login(staff_user)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_roles_hold_exactly_their_permissions(staff_user, auditor, admin_user, worker_a):
    assert admin_user.has_perm("registry.view_sensitive")
    assert staff_user.has_perm("registry.view_sensitive")
    # Grid workers phone liaisons but never see ID numbers; auditors see neither.
    assert worker_a.has_perm("registry.view_full_phone")
    assert not worker_a.has_perm("registry.view_sensitive")
    assert not auditor.has_perm("registry.view_full_phone")
    assert not auditor.has_perm("registry.view_sensitive")
    assert not auditor.has_perm("registry.change_enterprise")
    assert auditor.has_perm("registry.view_enterprise")
    assert worker_a.has_perm("registry.change_liaison")
    assert not worker_a.has_perm("registry.add_gridarea")
    assert {r.value for r in Role} == {"admin", "staff", "grid_worker", "auditor"}


@pytest.mark.django_db
def test_a_refused_page_says_why_in_chinese(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/imports/")
    assert response.status_code == 403
    assert "您的角色无权访问此页面" in response.content.decode()


@pytest.mark.django_db
def test_another_grids_enterprise_is_a_friendly_404(client, worker_b, enterprise_a):
    client.force_login(worker_b)
    response = client.get(f"/enterprises/{enterprise_a.uscc}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "不在您负责的网格内" in page
    assert enterprise_a.name not in page
