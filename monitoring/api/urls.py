"""Monitoring's API routes, included under /api/ by liaison_portal.api_urls (DRF
authenticates and denies by default, as in registry.api.urls)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from monitoring.api import views
from monitoring.signals.api import SignalListView

urlpatterns = [
    path(
        "light-changes/",
        login_not_required(views.LightChangeListView.as_view()),
        name="light_changes",
    ),
    path("signals/", login_not_required(SignalListView.as_view()), name="signals"),
]
