"""What the material library registers when outreach starts (called from
OutreachConfig.ready, after the events'): who keeps the library."""


def materials_ready() -> None:
    _give_staff_the_library()


def _give_staff_the_library() -> None:
    # Staff and admins keep the library and send it; admins also keep the topics (admin).
    from registry.roles import Role, register_role_permissions

    crud = {f"outreach.{action}_material" for action in ("view", "add", "change")}
    register_role_permissions(Role.STAFF, crud)
    register_role_permissions(
        Role.ADMIN,
        crud
        | {f"outreach.{action}_materialtopic" for action in ("view", "add", "change", "delete")},
    )
