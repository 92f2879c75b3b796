from django.urls import path

from outreach.events.door_views import checkin_page
from outreach.events.public_views import invitations_page
from outreach.matters.public_views import ask
from outreach.selfservice import views

app_name = "selfservice"

urlpatterns = [
    # Fixed paths first: "form" is never a token (tokens are 43 characters).
    path("", views.start, name="start"),
    path("form/", views.form_page, name="form"),
    # An agent (代账) goes on with another of their enterprises in the same visit.
    path("other/", views.other_enterprise, name="other"),
    # "我有问题 / 需要帮助": a matter for the first-contact desk (outreach/matters).
    path("ask/", ask, name="ask"),
    # The liaison's invitations to trainings, meetings and salons (outreach/events).
    path("events/", invitations_page, name="events"),
    # Check-in at an event's door, from the QR on the screen (outreach/events).
    path("checkin/<str:code>/", checkin_page, name="checkin"),
    path("<str:token>/", views.landing, name="landing"),
]
