"""Park admins manage departments (members, lead) and the category tree with its time limits
here. Matters themselves are worked on the desk's pages (whose services hold the rules), not
in the admin."""

from django.contrib import admin

from outreach.matters.models import Department, MatterCategory


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "active"]
    list_filter = ["active"]
    filter_horizontal = ["members"]
    search_fields = ["name"]


@admin.register(MatterCategory)
class MatterCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "first_response_hours",
        "resolution_workdays",
        "default_department",
        "position",
        "active",
    ]
    list_filter = ["active", "parent"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # A category in use is kept (matters point at it); retire it with "active".
        return super().has_delete_permission(request, obj) and (
            obj is None or not obj.matters.exists()
        )
