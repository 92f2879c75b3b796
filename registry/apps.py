from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from registry import annual_reports, ids, security_log
        from registry.listing import register_list_extension

        # Logins, failures, lockouts, logouts and new accounts, whichever door they use.
        security_log.connect()
        # <id:…> in the urls.py of every app (ASCII digits only), before any URLconf loads.
        ids.register()
        # The enterprise page's building card, first of the panels.
        from registry.buildings.panel import building_panel
        from registry.panels import register_panel

        register_panel(building_panel)
        # The demo park's buildings, their people and tenants.
        from registry.buildings.demo import seed_buildings_demo
        from registry.demo import register_demo_step

        register_demo_step("buildings", seed_buildings_demo)
        # The buildings' people past their retention period, erased from the history.
        from registry.buildings.retention import building_contacts_retention
        from registry.retention import register_retention_step

        register_retention_step(building_contacts_retention)
        # Last year's annual report: a flag column and a filter on the enterprise list.
        register_list_extension(annual_reports.COLUMN)
        # The list's selection: exported as the export of the whole registry is (masked).
        from registry.access import can_export
        from registry.listing import BulkAction, register_bulk_action

        register_bulk_action(
            BulkAction(
                name="export",
                label=_("Export the selection"),
                url_name="registry:export_selection",
                allowed=can_export,
                order=300,
            )
        )

        # After every migrate: groups match registry.roles. Django sends post_migrate app by
        # app, creating each app's permissions as it goes; the groups are synced after the
        # last app's, or outreach's and monitoring's permissions would not exist yet on a
        # fresh database (a second migrate used to be needed).
        post_migrate.connect(_sync_after_the_last_app, dispatch_uid="registry.roles")


def _sync_after_the_last_app(app_config, **kwargs) -> None:
    from django.apps import apps

    from registry.roles import sync_role_groups

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if app_config is with_models[-1]:
        sync_role_groups(**kwargs)
