from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registry.models import EmergencyContact, Enterprise, GridArea, Liaison


class VersionedAdmin(admin.ModelAdmin):
    """Admin saves bump the version like the services do, so a page editor who loaded the
    record before an admin change is told about it instead of overwriting it."""

    def save_model(self, request, obj, form, change):
        if change and form.has_changed():
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed() and hasattr(instance, "version"):
                instance.version += 1
        super().save_formset(request, form, formset, change)


class LiaisonInline(admin.StackedInline):
    model = Liaison
    extra = 0
    fields = (
        "name",
        "position",
        "mobile",
        "landline",
        "email",
        "wechat",
        "id_number",
        "started_on",
        "ended_on",
        "last_verified_at",
    )
    ordering = ("ended_on", "-started_on")


class EmergencyContactInline(admin.StackedInline):
    model = EmergencyContact
    extra = 0
    fields = ("name", "relation", "phone")


@admin.register(GridArea)
class GridAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "worker_names")
    search_fields = ("code", "name")
    filter_horizontal = ("workers",)

    @admin.display(description=_("grid workers"))
    def worker_names(self, obj):
        return "、".join(worker.username for worker in obj.workers.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("workers")


@admin.register(Enterprise)
class EnterpriseAdmin(VersionedAdmin):
    list_display = ("name", "uscc", "grid", "status", "key_taxpayer", "pre_approval", "size")
    list_filter = ("status", "grid", "size", "key_taxpayer", "pre_approval", "marked_key")
    search_fields = ("name", "uscc", "liaisons__name", "liaisons__mobile")
    list_select_related = ("grid",)
    inlines = (LiaisonInline, EmergencyContactInline)
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(Liaison)
class LiaisonAdmin(VersionedAdmin):
    list_display = ("name", "enterprise", "mobile", "started_on", "ended_on")
    list_filter = ("ended_on",)
    search_fields = ("name", "mobile", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)


@admin.register(EmergencyContact)
class EmergencyContactAdmin(VersionedAdmin):
    list_display = ("name", "relation", "phone", "enterprise")
    search_fields = ("name", "phone", "enterprise__name")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)
