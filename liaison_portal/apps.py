from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonPortalConfig(AppConfig):
    # Infrastructure only (worker heartbeat, health); business models live in the domain apps.
    name = "liaison_portal"
    verbose_name = _("Portal infrastructure")

    def ready(self) -> None:
        from liaison_portal import db_router

        # Read-after-write bookkeeping for the replica router, only when there is a replica.
        if db_router.replica_configured():
            db_router.connect_signals()
