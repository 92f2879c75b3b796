"""Who may read replies and opt-outs, and remove an opt-out (deny by default)."""

from registry.roles import Role, user_role


def can_read_replies(user) -> bool:
    # Grid workers too: the replies of their own grids' enterprises (selectors.reply_list).
    return user_role(user) is not None


def can_read_optouts(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.AUDITOR}


def can_remove_optouts(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF}
