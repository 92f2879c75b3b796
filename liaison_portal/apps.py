from django.apps import AppConfig


class LiaisonPortalConfig(AppConfig):
    # Infrastructure only (worker heartbeat, health); business models live in the domain apps.
    name = "liaison_portal"
    verbose_name = "Portal infrastructure"
