"""Who may see and change what: deny by default.

Every read of the registry starts from ``visible_enterprises(user)``; a grid worker's
queryset holds only the enterprises of their own grid areas, so lists, pages, search,
counts, exports and the API cannot show them anything else. A user without a role sees
nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from registry.models import Enterprise, GridArea, Liaison
from registry.roles import Role, user_role

SEE_EVERYTHING = {Role.ADMIN, Role.STAFF, Role.AUDITOR}


def visible_enterprises(user) -> QuerySet[Enterprise]:
    role = user_role(user)
    enterprises = Enterprise.objects.all()
    if role in SEE_EVERYTHING:
        return enterprises
    if role == Role.GRID_WORKER:
        return enterprises.filter(grid__workers=user)
    return enterprises.none()


def visible_liaisons(user) -> QuerySet[Liaison]:
    return Liaison.objects.filter(enterprise__in=visible_enterprises(user).values("pk"))


def visible_grid_areas(user) -> QuerySet[GridArea]:
    role = user_role(user)
    if role in SEE_EVERYTHING:
        return GridArea.objects.all()
    if role == Role.GRID_WORKER:
        return GridArea.objects.filter(workers=user)
    return GridArea.objects.none()


def can_edit_registry(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.GRID_WORKER}


def can_export(user) -> bool:
    """Every role exports what it sees (grid workers their grids), masked as it sees it."""
    return user_role(user) is not None


def can_view_sensitive(user) -> bool:
    return user.is_authenticated and user.has_perm("registry.view_sensitive")


def can_manage_users(user) -> bool:
    return user_role(user) == Role.ADMIN


def can_read_security_log(user) -> bool:
    return user.is_authenticated and user.has_perm("registry.view_securityevent")


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
