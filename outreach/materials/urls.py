from django.urls import path

from outreach.materials import views

app_name = "materials"

urlpatterns = [
    path("", views.material_list_page, name="list"),
    path("new/", views.material_new, name="new"),
    path("<id:pk>/", views.material_edit, name="edit"),
    path("<id:pk>/publish/", views.material_publish, name="publish"),
    path("<id:pk>/wecom/", views.material_wecom_post, name="wecom_post"),
]
