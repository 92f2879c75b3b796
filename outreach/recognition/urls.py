from django.urls import path

from outreach.recognition import views

urlpatterns = [
    path("recognition/", views.recognition_page, name="recognition"),
    path("recognition/propose/", views.recognition_propose_view, name="recognition_propose"),
    path(
        "recognition/<int:year>/confirm/",
        views.recognition_confirm_view,
        name="recognition_confirm",
    ),
    path(
        "recognition/<int:year>/certificates.pdf",
        views.recognition_certificates,
        name="recognition_certificates",
    ),
    path(
        "recognition/<int:year>/certificates/<int:liaison_id>.pdf",
        views.recognition_certificate,
        name="recognition_certificate",
    ),
]
