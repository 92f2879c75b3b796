from django.urls import include, path

from outreach.messaging import views
from outreach.messaging.inbound import views as inbound

app_name = "messaging"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/audience/", views.campaign_audience, name="campaign_audience"),
    # The enterprise list's "new campaign to these" (registry.selection).
    path(
        "campaigns/from-selection/",
        views.campaign_from_selection,
        name="campaign_from_selection",
    ),
    path("campaigns/<id:pk>/", views.campaign_detail, name="campaign"),
    # A campaign the SMS provider's refusal stopped (outreach.messaging.refusals).
    path("campaigns/<id:pk>/resume/", views.campaign_resume, name="campaign_resume"),
    path("campaigns/<id:pk>/cancel-held/", views.campaign_cancel_held, name="campaign_cancel_held"),
    path("campaigns/<id:pk>/test/", views.campaign_test, name="campaign_test"),
    path("campaigns/<id:pk>/confirm/", views.campaign_confirm, name="campaign_confirm"),
    path("campaigns/<id:pk>/approve/", views.campaign_approve, name="campaign_approve"),
    path("campaigns/<id:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("outbox/", views.outbox, name="outbox"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<id:pk>/", views.template_edit, name="template_edit"),
    # WeCom group robots and their posts (outreach/messaging/wecom): messaging:wecom:….
    path("wecom/", include("outreach.messaging.wecom.urls")),
    # Liaisons' SMS replies and the numbers that opted out (outreach/messaging/inbound).
    path("replies/", inbound.reply_list, name="replies"),
    path("opt-outs/", inbound.optout_list, name="optouts"),
    path("opt-outs/<id:pk>/remove/", inbound.optout_remove, name="optout_remove"),
]
