from django.urls import path

from outreach.matters import metrics_views, views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list_page, name="list"),
    path("new/", views.matter_new, name="new"),
    path("mine/", views.my_matters_page, name="mine"),
    path("metrics/", metrics_views.metrics_page, name="metrics"),
    path("<id:pk>/", views.matter_page, name="detail"),
    path("<id:pk>/phone/", views.matter_phone_reveal, name="reveal_phone"),
    path("<id:pk>/route/", views.matter_route, name="route"),
    path("<id:pk>/reroute/", views.matter_reroute, name="reroute"),
    path("<id:pk>/take/", views.matter_take, name="take"),
    path("<id:pk>/return/", views.matter_return, name="return"),
    path("<id:pk>/answer/", views.matter_answer, name="answer"),
    path("<id:pk>/close/", views.matter_close, name="close"),
    path("<id:pk>/chase/", views.matter_chase, name="chase"),
    path("<id:pk>/link/", views.matter_link, name="link"),
    path("<id:pk>/follow-up/", views.matter_follow_up, name="follow_up"),
    path(
        "enterprise/<str:uscc>/follow-up/",
        views.enterprise_follow_up,
        name="enterprise_follow_up",
    ),
]
