from django.urls import path

from outreach.selfservice import views

app_name = "selfservice"

urlpatterns = [
    # Fixed paths first: "form" is never a token (tokens are 43 characters).
    path("", views.start, name="start"),
    path("form/", views.form_page, name="form"),
    path("<str:token>/", views.landing, name="landing"),
]
