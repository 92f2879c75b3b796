from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from outreach import demo
        from outreach.enterprise_page import attempts_on_timeline, outreach_panel
        from registry.demo import demo_seeded
        from registry.panels import register_panel
        from registry.roles import Role, register_role_permissions
        from registry.timeline import register_source

        register_source(attempts_on_timeline)
        register_panel(outreach_panel)
        # The policy is edited in the Django admin, which is for park admins.
        register_role_permissions(
            Role.ADMIN,
            {
                "outreach.view_outreachpolicy",
                "outreach.change_outreachpolicy",
                "outreach.view_contactattempt",
                "outreach.view_task",
            },
        )
        demo_seeded.connect(demo.seed_outreach_demo, dispatch_uid="outreach.demo")
