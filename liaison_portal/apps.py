from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonPortalConfig(AppConfig):
    # Infrastructure only (worker heartbeat, health); business models live in the domain apps.
    name = "liaison_portal"
    verbose_name = _("Portal infrastructure")
