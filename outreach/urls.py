from django.urls import include, path

from outreach import desk_views, field_views, views
from outreach.selfservice import staff_views as selfservice

app_name = "outreach"

urlpatterns = [
    path("tasks/", views.task_list_page, name="tasks"),
    # The first-contact desk (outreach/matters).
    path("matters/", include("outreach.matters.urls")),
    # The yearly recognition of liaisons (outreach/recognition).
    path("outreach/", include("outreach.recognition.urls")),
    # Trainings, meetings and salons (outreach/events).
    path("events/", include("outreach.events.urls")),
    # The material library (outreach/materials).
    path("materials/", include("outreach.materials.urls")),
    # In the field (phone first): today's round, its visit sheet, a call's outcome, a photo.
    path("tasks/round/", field_views.round_page, name="round"),
    path("tasks/round/sheet.pdf", field_views.round_sheet, name="round_sheet"),
    path("enterprises/<str:uscc>/call/", field_views.call_outcome, name="call_outcome"),
    path("visits/<id:pk>/photo/", field_views.visit_photo, name="visit_photo"),
    path("tasks/<id:pk>/attempt/", views.task_attempt, name="task_attempt"),
    path("tasks/<id:pk>/close/", views.task_close, name="task_close"),
    path("tasks/<id:pk>/reassign/", views.task_reassign, name="task_reassign"),
    # The desk's bulk actions and a handover task's one step (outreach/desk_views.py).
    path("tasks/selection/", desk_views.tasks_bulk, name="tasks_bulk"),
    path(
        "tasks/<id:pk>/handover-confirm/",
        desk_views.task_handover_confirm,
        name="task_handover_confirm",
    ),
    path(
        "enterprise-selection/links/",
        desk_views.enterprise_links_send,
        name="enterprise_links_send",
    ),
    path("enterprises/<str:uscc>/contact/", views.attempt_new, name="attempt_new"),
    # Liaison self-service: staff send or withdraw the liaison's personal link.
    path(
        "enterprises/<str:uscc>/self-service-link/",
        selfservice.link_send,
        name="selfservice_link_send",
    ),
    path(
        "enterprises/<str:uscc>/self-service-link/revoke/",
        selfservice.link_revoke,
        name="selfservice_link_revoke",
    ),
    path(
        "enterprises/<str:uscc>/self-service-handover/",
        selfservice.handover_confirm,
        name="selfservice_handover_confirm",
    ),
    path(
        "enterprises/<str:uscc>/self-service-handover/successor-mobile/",
        selfservice.successor_reveal,
        name="selfservice_successor_reveal",
    ),
]
