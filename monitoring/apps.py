from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from monitoring import demo, enterprise_page, kinds, receivers
        from outreach.signals import attempt_recorded
        from registry.demo import demo_seeded
        from registry.listing import register_list_extension
        from registry.panels import register_panel
        from registry.roles import Role, register_role_permissions
        from registry.timeline import register_source

        kinds.register()
        # Campaigns leave out the enterprises whose contact is paused (outreach's seam).
        from monitoring.selectors import paused_enterprises_sql
        from outreach.messaging.exclusions import register_paused_source

        register_paused_source(paused_enterprises_sql)
        # The retention run: evidence texts and, after the case closed long enough, files.
        from monitoring.retention import erase_evidence
        from registry.retention import register_retention_step

        register_retention_step(erase_evidence)
        attempt_recorded.connect(
            receivers.light_follows_attempt, dispatch_uid="monitoring.light_follows_attempt"
        )
        register_list_extension(enterprise_page.LIGHT_COLUMN)
        register_source(enterprise_page.light_changes_on_timeline)
        register_panel(enterprise_page.health_panel)
        # After outreach's demo (its app is earlier in INSTALLED_APPS): the contact history.
        demo_seeded.connect(demo.seed_monitoring_demo, dispatch_uid="monitoring.demo")
        # Park admins edit the rules' thresholds in the Django admin.
        register_role_permissions(
            Role.ADMIN,
            {
                "monitoring.view_rulesettings",
                "monitoring.change_rulesettings",
                "monitoring.view_contacthealth",
                "monitoring.view_lightchange",
            },
        )
