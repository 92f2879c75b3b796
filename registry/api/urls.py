"""The registry's API routes, included under /api/ by liaison_portal.api_urls.

Every view is marked exempt from LoginRequiredMiddleware (DRF's as_view does so too, but
the rule is written where the routes are): DRF authenticates (token or session) and answers
401/403 in JSON instead of redirecting to the login page, and its permission classes deny by
default (registry.api.permissions).
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from registry.api import views


def _api(view_class):
    return login_not_required(view_class.as_view())


urlpatterns = [
    path("enterprises/", _api(views.EnterpriseListView), name="enterprises"),
    path("enterprises/<str:uscc>/", _api(views.EnterpriseDetailView), name="enterprise"),
    path(
        "enterprises/<str:uscc>/history/",
        _api(views.EnterpriseHistoryView),
        name="enterprise_history",
    ),
    path("enterprises/<str:uscc>/liaison/", _api(views.CurrentLiaisonView), name="liaison"),
    path(
        "enterprises/<str:uscc>/liaison/replace/",
        _api(views.LiaisonReplaceView),
        name="liaison_replace",
    ),
    path(
        "enterprises/<str:uscc>/emergency-contact/",
        _api(views.EmergencyContactView),
        name="emergency_contact",
    ),
    path("enterprises/<str:uscc>/reveal/", _api(views.RevealView), name="reveal"),
    path(
        "enterprises/<str:uscc>/annual-reports/<id:year>/",
        _api(views.AnnualReportView),
        name="annual_report",
    ),
    path("liaisons/", _api(views.LiaisonListView), name="liaisons"),
    path("grid-areas/", _api(views.GridAreaListView), name="grid_areas"),
]

# Buildings, read only (registry/buildings/api.py).
from registry.buildings import api as buildings_api  # noqa: E402

urlpatterns += [
    path("buildings/", _api(buildings_api.BuildingListView), name="buildings"),
    path("buildings/<id:pk>/", _api(buildings_api.BuildingDetailView), name="building"),
]
