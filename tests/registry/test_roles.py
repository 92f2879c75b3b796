"""The role groups get every app's permissions on a fresh database, in one migrate."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management.sql import emit_post_migrate_signal

from registry.roles import Role, role_group

pytestmark = pytest.mark.django_db


def _codenames(role: Role) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in role_group(role).permissions.all()}


def test_a_fresh_migrate_gives_the_admins_outreachs_and_monitorings_permissions():
    # As on a fresh database: outreach's and monitoring's permissions do not exist yet when
    # migrate starts sending post_migrate, app by app (registry's comes before theirs).
    Permission.objects.filter(content_type__app_label__in=["outreach", "monitoring"]).delete()
    assert "outreach.view_outreachpolicy" not in _codenames(Role.ADMIN)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert {"outreach.view_outreachpolicy", "outreach.change_outreachpolicy"} <= _codenames(
        Role.ADMIN
    )
