"""The roles of domain.md, held as Django groups, and what each may do.

The groups are kept in step with this module after every migrate (post_migrate), so a
deployment never runs with a hand-edited role that the code does not know about.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Park admin")
    STAFF = "staff", _("Service staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    AUDITOR = "auditor", _("Auditor (read-only)")


_REGISTRY_MODELS = ("enterprise", "liaison", "emergencycontact", "gridarea")

# Codenames per role; "registry.view_sensitive" unmasks ID numbers, owners and full phones.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        f"registry.{action}_{m}"
        for m in _REGISTRY_MODELS
        for action in ("view", "add", "change", "delete")
    }
    | {
        "registry.view_sensitive",
        "registry.view_full_phone",
        "registry.view_sensitiveview",
        # The security log (等保 7.1.4.3): admins and auditors read it; nobody changes it.
        "registry.view_securityevent",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    },
    Role.STAFF: {
        f"registry.{action}_{m}"
        for m in _REGISTRY_MODELS[:3]
        for action in ("view", "add", "change")
    }
    | {"registry.view_gridarea", "registry.view_sensitive", "registry.view_full_phone"},
    # Grid workers phone and visit liaisons, so they may see full numbers (each view logged),
    # but not ID numbers or beneficial owners.
    Role.GRID_WORKER: {
        f"registry.{action}_{m}" for m in _REGISTRY_MODELS[:3] for action in ("view", "change")
    }
    | {"registry.view_gridarea", "registry.view_full_phone"},
    # Auditors read the security log and the log of sensitive views (who saw which numbers),
    # never the numbers.
    Role.AUDITOR: {f"registry.view_{m}" for m in _REGISTRY_MODELS}
    | {"registry.view_securityevent", "registry.view_sensitiveview"},
}


def register_role_permissions(role: Role, codenames: set[str]) -> None:
    """Higher apps add their own models' permissions to a role (from AppConfig.ready, so
    before the post_migrate sync below), without the registry importing them."""
    ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] | set(codenames)


# What the home page tells each role it can do.
ROLE_ABILITIES: dict[str, list] = {
    Role.ADMIN: [
        _("Manage grid areas, users and their roles"),
        _("Enter each year's holidays and make-up working days"),
        _("Import and export the registry spreadsheets"),
        _("Work the whole registry, including sensitive fields"),
    ],
    Role.STAFF: [
        _("Work the whole registry: enterprises, liaisons, emergency contacts"),
        _("Contact enterprises and keep their liaisons up to date"),
    ],
    Role.GRID_WORKER: [
        _("Work the enterprises of your own grid areas"),
        _("Update their liaisons and emergency contacts"),
    ],
    Role.AUDITOR: [
        _("Read the registry and its history (sensitive fields stay masked)"),
        _("Read the security log"),
        _("Read and export the log of views of sensitive data"),
    ],
}

_PRECEDENCE = (Role.ADMIN, Role.STAFF, Role.GRID_WORKER, Role.AUDITOR)


def user_role(user) -> Role | None:
    """The one role a user acts in; the most capable one if they hold several."""
    if not user.is_authenticated:
        return None
    # Asked many times per request (scoping, menus, permissions): read the groups once.
    if not hasattr(user, "_portal_role"):
        user._portal_role = _role_of(user)
    return user._portal_role


def _role_of(user) -> Role | None:
    if user.is_superuser:
        return Role.ADMIN
    names = {group.name for group in user.groups.all()}
    for role in _PRECEDENCE:
        if role.value in names:
            return role
    return None


def role_group(role: Role) -> Group:
    return Group.objects.get(name=role.value)


def sync_role_groups(**_kwargs) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in sorted(codenames):
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
