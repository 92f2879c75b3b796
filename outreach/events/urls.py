from django.urls import path

from outreach.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list_page, name="list"),
    path("new/", views.event_new, name="new"),
    path("<id:pk>/", views.event_edit, name="edit"),
    path("<id:pk>/invitations/", views.event_invitations_page, name="invitations"),
    path("<id:pk>/invitations/sms/", views.event_invitation_sms, name="invitation_sms"),
]
