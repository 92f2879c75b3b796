"""Park admins edit the rules' thresholds here; the light and its changes are read-only (they
are written by monitoring.services, whose rules the admin would bypass)."""

from django.contrib import admin

from monitoring.models import ContactHealth, LightChange, RuleSettings, SignalKind
from registry.admin import ReadOnlyAdmin


@admin.register(RuleSettings)
class RuleSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "stale_liaison_months",
        "not_in_service_days",
        "frequent_changes_count",
        "frequent_changes_months",
        "major_change_days",
        "task_due_days",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return not RuleSettings.objects.exists()  # one row

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactHealth)
class ContactHealthAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "light", "consecutive_failures", "light_since", "paused_until"]
    list_filter = ["light"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise"]


@admin.register(LightChange)
class LightChangeAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "from_light", "to_light", "at", "reason"]
    list_filter = ["to_light", "reason"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise", "attempt"]


@admin.register(SignalKind)
class SignalKindAdmin(admin.ModelAdmin):
    """What each kind of outside report means (monitoring.signals): park admins decide."""

    list_display = ["name", "code", "counts_as_failed_contact", "opens_verification", "active"]
    list_editable = ["counts_as_failed_contact", "opens_verification", "active"]
    ordering = ["order", "id"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Reports keep their kind; a kind no longer wanted is set out of use.
        return False
