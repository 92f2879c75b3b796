from django.urls import path

from outreach.matters import metrics_views, standard_answer_views, views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list_page, name="list"),
    path("new/", views.matter_new, name="new"),
    path("mine/", views.my_matters_page, name="mine"),
    path("metrics/", metrics_views.metrics_page, name="metrics"),
    path("metrics/export/", metrics_views.metrics_export_download, name="metrics_export"),
    path("<id:pk>/", views.matter_page, name="detail"),
    path("<id:pk>/phone/", views.matter_phone_reveal, name="reveal_phone"),
    path("<id:pk>/email/", views.matter_email_reveal, name="reveal_email"),
    path("<id:pk>/route/", views.matter_route, name="route"),
    path("<id:pk>/reroute/", views.matter_reroute, name="reroute"),
    path("<id:pk>/take/", views.matter_take, name="take"),
    path("<id:pk>/return/", views.matter_return, name="return"),
    path("<id:pk>/answer/", views.matter_answer, name="answer"),
    path("<id:pk>/close/", views.matter_close, name="close"),
    path("<id:pk>/chase/", views.matter_chase, name="chase"),
    path("<id:pk>/link/", views.matter_link, name="link"),
    path("<id:pk>/follow-up/", views.matter_follow_up, name="follow_up"),
    path("<id:pk>/attachments/", views.matter_attachments_add, name="attachments_add"),
    path("attachments/<id:pk>/", views.matter_attachment_download, name="attachment"),
    path("answers/", standard_answer_views.library, name="standard_answers"),
    path("answers/new/", standard_answer_views.standard_answer_new, name="standard_answer_new"),
    path(
        "answers/<id:pk>/", standard_answer_views.standard_answer_edit, name="standard_answer_edit"
    ),
    path(
        "enterprise/<str:uscc>/follow-up/",
        views.enterprise_follow_up,
        name="enterprise_follow_up",
    ),
]
