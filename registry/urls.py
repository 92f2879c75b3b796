from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("enterprises/", views.enterprise_list_page, name="enterprises"),
    path("enterprises/<str:uscc>/", views.enterprise_page, name="enterprise"),
    path("enterprises/<str:uscc>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<str:uscc>/liaison/edit/", views.liaison_edit, name="liaison_edit"),
    path("enterprises/<str:uscc>/liaison/replace/", views.liaison_replace, name="liaison_replace"),
    path(
        "enterprises/<str:uscc>/emergency-contact/edit/",
        views.emergency_contact_edit,
        name="emergency_contact_edit",
    ),
    path(
        "enterprises/<str:uscc>/annual-reports/<id:year>/",
        views.annual_report_set,
        name="annual_report_set",
    ),
    path(
        "enterprises/<str:uscc>/reveal/<str:record>/<str:field>/",
        views.reveal,
        name="reveal",
    ),
    path("grid-areas/", views.grid_area_list, name="grid_areas"),
    path("grid-areas/new/", views.grid_area_edit, name="grid_area_new"),
    path("grid-areas/<id:pk>/", views.grid_area_edit, name="grid_area_edit"),
    path("users/", views.user_list, name="users"),
    path("users/<id:pk>/", views.user_edit, name="user_edit"),
    path("users/<id:pk>/unlock/", views.user_unlock, name="user_unlock"),
]

# The log of sensitive views (registry/sensitive_log_views.py): auditors and park admins.
from registry import sensitive_log_views  # noqa: E402

urlpatterns += [
    path("sensitive-views/", sensitive_log_views.sensitive_view_log, name="sensitive_views"),
    path(
        "sensitive-views/export/",
        sensitive_log_views.sensitive_view_log_export,
        name="sensitive_views_export",
    ),
]

# The registry spreadsheets (registry/import_views.py).
from registry import import_views  # noqa: E402

urlpatterns += [
    path("imports/", import_views.import_list, name="imports"),
    path("imports/template/", import_views.import_template, name="import_template"),
    path("imports/<id:pk>/", import_views.import_run, name="import_run"),
    path("imports/<id:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<id:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path(
        "imports/<id:pk>/invalid-rows/",
        import_views.import_invalid_rows,
        name="import_invalid_rows",
    ),
    path(
        "imports/<id:pk>/enterprises/",
        import_views.import_enterprises,
        name="import_enterprises",
    ),
    path("export/", import_views.registry_export_download, name="export"),
    path("export/selection/", import_views.registry_export_selection, name="export_selection"),
]

# The holiday years admins enter (registry/holiday_views.py).
from registry import holiday_views  # noqa: E402

urlpatterns += [
    path("holidays/", holiday_views.holiday_list, name="holidays"),
    path("holidays/new/", holiday_views.holiday_new, name="holiday_new"),
    path("holidays/import/", holiday_views.holiday_import, name="holiday_import"),
    path("holidays/<id:year>/", holiday_views.holiday_year, name="holiday_year"),
    path(
        "holidays/<id:year>/delete/",
        holiday_views.holiday_year_delete_page,
        name="holiday_year_delete",
    ),
]

# The security log (registry/security_views.py): admins and auditors read and export it.
from registry import security_views  # noqa: E402

urlpatterns += [
    path("security-log/", security_views.security_log, name="security_log"),
    path("security-log/export/", security_views.security_log_export, name="security_log_export"),
]

# Buildings and their people (registry/buildings/views.py).
from registry.buildings import views as building_views  # noqa: E402

urlpatterns += [
    path("buildings/", building_views.building_list, name="buildings"),
    path("buildings/new/", building_views.building_new, name="building_new"),
    path("buildings/<id:pk>/", building_views.building_page, name="building"),
    path("buildings/<id:pk>/edit/", building_views.building_edit, name="building_edit"),
    path("buildings/<id:pk>/match/", building_views.building_match, name="building_match"),
    path(
        "buildings/<id:pk>/contacts/new/",
        building_views.building_contact_edit,
        name="building_contact_new",
    ),
    path(
        "buildings/<id:pk>/contacts/<id:contact_pk>/",
        building_views.building_contact_edit,
        name="building_contact_edit",
    ),
    path(
        "buildings/<id:pk>/contacts/<id:contact_pk>/delete/",
        building_views.building_contact_delete,
        name="building_contact_delete",
    ),
    path(
        "building-contacts/<id:contact_pk>/reveal/",
        building_views.building_contact_reveal,
        name="building_contact_reveal",
    ),
    path(
        "building-suggestions/<id:pk>/confirm/",
        building_views.suggestion_confirm,
        name="building_suggestion_confirm",
    ),
    path(
        "building-suggestions/<id:pk>/reject/",
        building_views.suggestion_reject,
        name="building_suggestion_reject",
    ),
    path(
        "enterprises/<str:uscc>/building/remove/",
        building_views.enterprise_building_remove,
        name="enterprise_building_remove",
    ),
]
