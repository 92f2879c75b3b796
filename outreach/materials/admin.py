from django.contrib import admin

from outreach.materials.models import MaterialTopic


@admin.register(MaterialTopic)
class MaterialTopicAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    list_editable = ("position",)
