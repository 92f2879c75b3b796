"""Park admins edit the outreach policy here; tasks and attempts are read-only (they are
written through outreach.services, whose rules the admin would bypass)."""

from django.contrib import admin

from outreach.models import ContactAttempt, OutreachPolicy, Task
from registry.admin import MaskedTextAdminMixin, ReadOnlyAdmin


@admin.register(OutreachPolicy)
class OutreachPolicyAdmin(admin.ModelAdmin):
    list_display = ["tier", "period_months", "routine_channel", "link_days_ahead", "updated_at"]
    readonly_fields = ["tier"]

    def has_add_permission(self, request):
        return False  # one row per tier, created by migration 0002

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactAttempt)
class ContactAttemptAdmin(MaskedTextAdminMixin, ReadOnlyAdmin):
    masked_text_fields = ("note",)
    list_display = ["occurred_at", "enterprise", "channel", "outcome", "by"]
    list_filter = ["channel", "outcome"]
    list_select_related = ["enterprise", "by"]
    search_fields = ["enterprise__uscc"]
    raw_id_fields = ["enterprise", "liaison"]


@admin.register(Task)
class TaskAdmin(MaskedTextAdminMixin, ReadOnlyAdmin):
    masked_text_fields = ("note", "close_note")
    list_display = ["due_on", "enterprise", "kind", "status", "assignee", "source"]
    list_filter = ["status", "kind", "source"]
    list_select_related = ["enterprise", "assignee"]
    search_fields = ["enterprise__uscc"]
    raw_id_fields = ["enterprise", "closed_by_attempt"]


# The outbox's admin registrations live with their part of the app.
# The first-contact desk's departments and categories (outreach/matters).
from outreach.events import admin as _events_admin  # noqa: E402, F401
from outreach.materials import admin as _materials_admin  # noqa: E402, F401
from outreach.matters import admin as _matters_admin  # noqa: E402, F401
from outreach.messaging import admin as _messaging_admin  # noqa: E402, F401
