from django.urls import path

from outreach.messaging import views

app_name = "messaging"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/audience/", views.campaign_audience, name="campaign_audience"),
    path("campaigns/<id:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<id:pk>/test/", views.campaign_test, name="campaign_test"),
    path("campaigns/<id:pk>/confirm/", views.campaign_confirm, name="campaign_confirm"),
    path("campaigns/<id:pk>/approve/", views.campaign_approve, name="campaign_approve"),
    path("campaigns/<id:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("outbox/", views.outbox, name="outbox"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<id:pk>/", views.template_edit, name="template_edit"),
]
