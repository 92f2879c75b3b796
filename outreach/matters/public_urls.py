from django.urls import path

from outreach.matters import public_views

app_name = "matter_feedback"

urlpatterns = [
    # Fixed path first: tokens are 43 characters.
    path("", public_views.feedback_page, name="rate"),
    path("<str:token>/", public_views.feedback_landing, name="landing"),
]
