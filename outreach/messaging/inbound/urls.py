"""The providers' push addresses (liaison_portal/urls.py mounts them under sms/callbacks/)."""

from django.urls import path

from outreach.messaging.inbound import views

app_name = "sms_callbacks"

urlpatterns = [
    # e.g. /sms/callbacks/aliyun/report/<secret>/, /sms/callbacks/tencent/reply/<secret>/
    path(
        "<slug:provider>/<slug:kind>/<str:secret>/",
        views.callback,
        name="callback",
    ),
]
