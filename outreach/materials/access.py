"""Who may do what with the material library (deny by default).

Every role reads the library (the material is public once published); staff and admins keep
it and send it (the ``outreach.change_material`` permission, given in materials_ready);
posting to WeCom groups follows the groups' own rule (outreach.messaging.wecom.access)."""

from registry.roles import user_role

MANAGE_PERMISSION = "outreach.change_material"


def can_read_materials(user) -> bool:
    return user_role(user) is not None


def can_manage_materials(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_PERMISSION)
