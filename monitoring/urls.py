from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("enterprises/<str:uscc>/pause/", views.pause, name="pause"),
    path("enterprises/<str:uscc>/resume/", views.resume, name="resume"),
]
