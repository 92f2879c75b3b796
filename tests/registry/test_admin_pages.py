"""Admins manage grid areas, their workers, users' roles, and read who saw what."""

import pytest
from django.urls import reverse

from registry import services
from registry.models import GridArea
from registry.roles import Role, user_role
from tests.conftest import _user

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_grid_area_and_assigns_a_worker(client, admin_user, worker_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("registry:grid_area_new"),
        {"code": "G09", "name": "北区网格", "workers": [worker_a.pk]},
    )
    assert response.status_code == 302
    grid = GridArea.objects.get(code="G09")
    assert list(grid.workers.all()) == [worker_a]
    assert "北区网格" in client.get(reverse("registry:grid_areas")).content.decode()


def test_a_duplicate_grid_name_is_refused_by_the_field(client, admin_user, grid_a):
    client.force_login(admin_user)
    response = client.post(reverse("registry:grid_area_new"), {"code": "Z", "name": grid_a.name})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_an_admin_gives_a_user_a_role(client, admin_user):
    newcomer = _user("new_person", None)
    client.force_login(admin_user)
    response = client.post(
        reverse("registry:user_edit", args=[newcomer.pk]),
        {"role": Role.GRID_WORKER.value, "is_active": "on"},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert user_role(newcomer) == Role.GRID_WORKER


def test_an_admin_cannot_demote_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("registry:user_edit", args=[admin_user.pk]),
        {"role": Role.STAFF.value, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "不能取消自己的管理员角色" in response.content.decode()


def test_the_sensitive_view_log_lists_who_saw_what(client, admin_user, staff_user, enterprise_a):
    services.sensitive_value_reveal(
        instance=enterprise_a.current_liaison,
        field="mobile",
        by=staff_user,
        channel="page",
        ip_address="10.0.0.8",
    )
    client.force_login(admin_user)
    html = client.get(reverse("registry:sensitive_views")).content.decode()
    assert "sam_staff" in html and "liaison.mobile" in html and "10.0.0.8" in html


def test_the_django_admin_shows_protected_values_masked(client, admin_user, enterprise_a):
    liaison = enterprise_a.current_liaison
    client.force_login(admin_user)
    pages = [
        reverse("admin:registry_liaison_changelist"),
        reverse("admin:registry_liaison_change", args=[liaison.pk]),
        reverse("admin:registry_enterprise_change", args=[enterprise_a.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "13912345678" not in html, url
        assert "139****5678" in html, url


def test_the_django_admin_only_shows_registry_records_and_links_to_the_portal(
    client, admin_user, enterprise_a
):
    """Saves there would skip the version check, the liaison's correction message and the
    history's door: enterprises, liaisons, contacts and grids are edited in the portal."""
    from registry.models import EmergencyContact, GridArea

    liaison = enterprise_a.current_liaison
    contact = EmergencyContact.objects.create(
        enterprise=enterprise_a, name="王芳", phone="13800001111"
    )
    client.force_login(admin_user)
    portal = reverse("registry:enterprise", args=[enterprise_a.uscc])
    for name, obj in [
        ("liaison", liaison),
        ("enterprise", enterprise_a),
        ("emergencycontact", contact),
    ]:
        url = reverse(f"admin:registry_{name}_change", args=[obj.pk])
        page = client.get(url).content.decode()
        assert portal in page and "在门户中查看和编辑" in page, name
        assert 'name="_save"' not in page, name
        assert client.post(url, {"name": "改名"}).status_code == 403, name
        delete = reverse(f"admin:registry_{name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, name
        assert client.get(reverse(f"admin:registry_{name}_add")).status_code == 403, name
    grid = GridArea.objects.get()
    url = reverse("admin:registry_gridarea_change", args=[grid.pk])
    assert client.post(url, {"code": "Z", "name": "改"}).status_code == 403
    liaison.refresh_from_db()
    assert liaison.name == "张伟" and liaison.version == 1
