from django.urls import path

from outreach.messaging.wecom import views

app_name = "wecom"

urlpatterns = [
    path("robots/", views.robot_list, name="robots"),
    path("robots/new/", views.robot_edit, name="robot_new"),
    path("robots/<id:pk>/", views.robot_edit, name="robot_edit"),
    path("posts/", views.post_list, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("campaigns/<id:pk>/posts/", views.campaign_posts, name="campaign_posts"),
]
