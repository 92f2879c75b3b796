"""Who may call the API at all: deny by default.

A user needs one of the portal's roles to read, and a role that may edit the registry to
write (auditors read only). What a user may see inside the registry is decided further down,
by registry.access (grid workers: their own grids) and, for protected values, by the
services (registry.services.sensitive_value_reveal).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from registry.access import can_edit_registry
from registry.roles import Role, user_role


class HasRegistryRole(BasePermission):
    """Any role reads; admins, staff and grid workers write."""

    def has_permission(self, request, view) -> bool:
        if user_role(request.user) is None:
            return False
        return request.method in SAFE_METHODS or can_edit_registry(request.user)


class RegistryOffice(BasePermission):
    """Admins and service staff: registering an enterprise is office work."""

    def has_permission(self, request, view) -> bool:
        role = user_role(request.user)
        if request.method in SAFE_METHODS:
            return role is not None
        return role in {Role.ADMIN, Role.STAFF}
