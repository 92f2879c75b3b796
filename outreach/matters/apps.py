"""What the first-contact desk registers when outreach starts (called from OutreachConfig.
ready): its default categories, the masking of a requester's phone, its panel and its steps
on the enterprise page, the permissions of its admin-managed tables."""

from django.db.models.signals import post_migrate


def matters_ready(app_config) -> None:
    from outreach.matters import tasks  # noqa: F401  (Celery finds only <app>.tasks)
    from outreach.matters.defaults import categories_ensure_defaults
    from outreach.matters.enterprise_page import matters_on_timeline, matters_panel
    from registry.masking import PHONE, register_protected
    from registry.normalize import mask_phone
    from registry.panels import register_panel
    from registry.roles import Role, register_role_permissions
    from registry.timeline import register_source

    post_migrate.connect(categories_ensure_defaults, sender=app_config)
    # Someone other than the liaison who brings a matter: their phone is masked like a
    # liaison's mobile.
    register_protected("matter", "requester_phone", PHONE, mask_phone)
    register_source(matters_on_timeline)
    register_panel(matters_panel)
    # Departments (with members and a lead) and the category tree: park admins, in the admin.
    register_role_permissions(
        Role.ADMIN,
        {
            f"outreach.{action}_{model}"
            for model in ("department", "mattercategory")
            for action in ("view", "add", "change", "delete")
        },
    )
