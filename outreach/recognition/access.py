"""Who may do what with the yearly recognition (the access table: tests/test_access_matrix.py)."""

from registry.roles import Role, user_role


def can_read(user) -> bool:
    """The proposal with its reasons: admins, staff and auditors (mobiles always masked)."""
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.AUDITOR}


def can_propose(user) -> bool:
    """The staff button that (re)computes a year's proposal."""
    return user_role(user) in {Role.ADMIN, Role.STAFF}


def can_confirm(user) -> bool:
    return user_role(user) == Role.ADMIN


def can_print(user) -> bool:
    """The certificates name the liaison: admins and staff, who hand them out."""
    return user_role(user) in {Role.ADMIN, Role.STAFF}
