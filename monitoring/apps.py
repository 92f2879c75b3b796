"""What monitoring adds to the portal when it starts, one wiring call per concern, in the
order ready() lists them; nothing registers itself by being imported. Monitoring is the top
app: it builds on outreach's seams (task kinds, the attempt signal, campaigns' exclusions),
and its demo step names outreach's as the one it follows."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        _register_task_kinds()
        _pause_campaigns_for_paused_enterprises()
        _register_retention_step()
        _follow_contact_attempts()
        _add_to_the_enterprise_pages()
        _register_demo_step()
        _give_admins_the_rules()
        _take_reports_from_outside()


def _register_task_kinds() -> None:
    # The rules' and the emergency procedure's kinds of 待办, in outreach's registry.
    from monitoring import kinds

    kinds.register()


def _pause_campaigns_for_paused_enterprises() -> None:
    # Campaigns leave out the enterprises whose contact is paused (outreach's seam).
    from monitoring.selectors import paused_enterprises_sql
    from outreach.messaging.exclusions import register_paused_source

    register_paused_source(paused_enterprises_sql)


def _register_retention_step() -> None:
    # The retention run: evidence texts and, after the case closed long enough, files.
    from monitoring.retention import erase_evidence
    from registry.retention import register_retention_step

    register_retention_step(erase_evidence)


def _follow_contact_attempts() -> None:
    # Every recorded attempt moves the enterprise's light.
    from monitoring import receivers
    from outreach.signals import attempt_recorded

    attempt_recorded.connect(
        receivers.light_follows_attempt, dispatch_uid="monitoring.light_follows_attempt"
    )


def _add_to_the_enterprise_pages() -> None:
    """The light: a column, filter and sort of the enterprise list; changes of light on the
    timeline; the health panel."""
    from monitoring import enterprise_page
    from registry.listing import register_list_extension
    from registry.panels import register_panel
    from registry.timeline import register_source

    register_list_extension(enterprise_page.LIGHT_COLUMN)
    register_source(enterprise_page.light_changes_on_timeline)
    register_source(enterprise_page.procedures_on_timeline)
    register_panel(enterprise_page.health_panel)


def _register_demo_step() -> None:
    # The demo's lights are replayed from the contact history outreach's step writes.
    from monitoring.demo import seed_monitoring_demo
    from registry.demo import register_demo_step

    register_demo_step("monitoring", seed_monitoring_demo, after=("outreach",))
    # A building of the demo park with red and yellow tenants stands out on the dashboard.
    from monitoring.demo import seed_building_attention_demo

    register_demo_step(
        "monitoring_buildings", seed_building_attention_demo, after=("monitoring", "buildings")
    )


def _give_admins_the_rules() -> None:
    # Park admins edit the rules' thresholds in the Django admin.
    from registry.roles import Role, register_role_permissions

    register_role_permissions(
        Role.ADMIN,
        {
            "monitoring.view_rulesettings",
            "monitoring.change_rulesettings",
            "monitoring.view_contacthealth",
            "monitoring.view_lightchange",
        },
    )


def _take_reports_from_outside() -> None:
    """Reports from outside (monitoring.signals): their panel and timeline entries, the
    reporter's phone protected and erased in time, admins configuring the kinds, demo data."""
    from monitoring.signals import demo, enterprise_page, retention
    from registry.demo import register_demo_step
    from registry.masking import PHONE, register_protected
    from registry.normalize import mask_phone
    from registry.panels import register_panel
    from registry.retention import register_retention_step
    from registry.roles import Role, register_role_permissions
    from registry.timeline import register_source

    register_panel(enterprise_page.signals_panel)
    register_source(enterprise_page.signals_on_timeline)
    register_protected("enterprisesignal", "source_phone", PHONE, mask_phone)
    register_retention_step(retention.erase_signal_sources)
    register_role_permissions(
        Role.ADMIN,
        {"monitoring.view_signalkind", "monitoring.add_signalkind", "monitoring.change_signalkind"},
    )
    register_demo_step("monitoring-signals", demo.seed_signals_demo, after=("monitoring",))
