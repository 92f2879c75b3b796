from django.urls import path

from monitoring import views
from monitoring.signals.views import signal_new, signal_photo

app_name = "monitoring"

urlpatterns = [
    path("enterprises/<str:uscc>/pause/", views.pause, name="pause"),
    path("enterprises/<str:uscc>/resume/", views.resume, name="resume"),
    path("enterprises/<str:uscc>/signals/new/", signal_new, name="signal_new"),
    path("signals/<id:pk>/photo/", signal_photo, name="signal_photo"),
    path(
        "enterprises/<str:uscc>/procedure/start/",
        views.procedure_start,
        name="procedure_start",
    ),
    path("procedures/<id:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("procedures/<id:pk>/advance/", views.procedure_advance, name="procedure_advance"),
    path("procedures/<id:pk>/complete/", views.procedure_complete, name="procedure_complete"),
    path("procedures/<id:pk>/pack/", views.evidence_pack, name="evidence_pack"),
    path("evidence/<id:pk>/file/", views.evidence_file, name="evidence_file"),
]
