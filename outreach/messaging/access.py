"""Who may do what with campaigns, templates and the outbox (deny by default)."""

from registry.roles import Role, user_role


def can_create_campaigns(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF}


def can_read_campaigns(user) -> bool:
    # Grid workers too, but they only ever see the recipients of their own grids.
    return user_role(user) is not None


def can_read_outbox(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.AUDITOR}


def can_read_templates(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.AUDITOR}


def can_edit_templates(user) -> bool:
    return user_role(user) == Role.ADMIN


def can_approve_campaigns(user) -> bool:
    # Four eyes: an admin, never for a campaign of their own (campaign_controls).
    return user_role(user) == Role.ADMIN
