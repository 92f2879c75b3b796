from django.urls import path

from outreach.events import views
from outreach.materials import views as materials

app_name = "events"

urlpatterns = [
    path("", views.event_list_page, name="list"),
    path("new/", views.event_new, name="new"),
    path("<id:pk>/", views.event_edit, name="edit"),
    path("<id:pk>/invitations/", views.event_invitations_page, name="invitations"),
    # Material sent after the event (outreach/materials).
    path("<id:pk>/materials/", materials.event_materials_page, name="materials"),
]
