from django.urls import path

from outreach.materials import public_views

app_name = "material"

urlpatterns = [
    path("<str:token>/", public_views.material_page, name="page"),
    path("<str:token>/file/", public_views.material_file, name="file"),
]
