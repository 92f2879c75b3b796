"""What the first-contact desk registers when outreach starts (called last from
OutreachConfig.ready): its default categories, the masking of a requester's phone and e-mail,
its panel and its steps on the enterprise page, the permissions of its admin-managed tables,
its step of the retention run. The follow-up tasks it makes are outreach's own kind
(Task.Kind.FOLLOW_UP)."""

from django.db.models.signals import post_migrate


def matters_ready(app_config) -> None:
    _load_tasks()
    _ensure_default_categories(app_config)
    _mask_the_requesters_phone()
    _add_to_the_enterprise_page()
    _give_admins_the_desks_tables()
    _erase_requesters_in_time()


def _load_tasks() -> None:
    # Celery finds only <app>.tasks: the desk's live in their own module.
    from outreach.matters import tasks  # noqa: F401


def _ensure_default_categories(app_config) -> None:
    from outreach.matters.defaults import categories_ensure_defaults

    post_migrate.connect(categories_ensure_defaults, sender=app_config)


def _mask_the_requesters_phone() -> None:
    # Someone other than the liaison who brings a matter: their phone, and the e-mail address
    # the answer goes to, are masked like a liaison's mobile (the same permission).
    from registry.masking import PHONE, register_protected
    from registry.normalize import mask_email, mask_phone

    register_protected("matter", "requester_phone", PHONE, mask_phone)
    register_protected("matter", "requester_email", PHONE, mask_email)


def _add_to_the_enterprise_page() -> None:
    from outreach.matters.enterprise_page import matters_on_timeline, matters_panel
    from registry.panels import register_panel
    from registry.timeline import register_source

    register_source(matters_on_timeline)
    register_panel(matters_panel)


def _give_admins_the_desks_tables() -> None:
    # Departments (with members and a lead) and the category tree: park admins, in the admin.
    from registry.roles import Role, register_role_permissions

    register_role_permissions(
        Role.ADMIN,
        {
            f"outreach.{action}_{model}"
            for model in ("department", "mattercategory")
            for action in ("view", "add", "change", "delete")
        },
    )


def _erase_requesters_in_time() -> None:
    # A requester's name, phone and e-mail go the notice's period after their matter ended.
    from outreach.matters.retention import erase_matter_requesters
    from registry.retention import register_retention_step

    register_retention_step(erase_matter_requesters)
