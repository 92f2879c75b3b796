from django.urls import path

from outreach.events import door_staff_views, views
from outreach.materials import views as materials

app_name = "events"

urlpatterns = [
    path("", views.event_list_page, name="list"),
    path("new/", views.event_new, name="new"),
    path("<id:pk>/", views.event_edit, name="edit"),
    path("<id:pk>/invitations/", views.event_invitations_page, name="invitations"),
    # At the door: the QR, its rotation, who came (outreach/events/door_staff_views.py).
    path("<id:pk>/checkin/", door_staff_views.event_checkin_screen, name="checkin"),
    path("<id:pk>/checkin/rotate/", door_staff_views.event_checkin_rotate, name="checkin_rotate"),
    path("<id:pk>/attendance/", door_staff_views.event_attendance_page, name="attendance"),
    path(
        "<id:pk>/attendance/export/",
        door_staff_views.event_attendance_export,
        name="attendance_export",
    ),
    path(
        "attendance/<id:pk>/resolve/",
        door_staff_views.attendance_resolve,
        name="attendance_resolve",
    ),
    path("<id:pk>/invitations/sms/", views.event_invitation_sms, name="invitation_sms"),
    # Material sent after the event (outreach/materials).
    path("<id:pk>/materials/", materials.event_materials_page, name="materials"),
]
