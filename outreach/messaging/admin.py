from django.contrib import admin

from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from registry.admin import MaskedTextAdminMixin, ReadOnlyAdmin


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "channel", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        from outreach.messaging.services import template_update

        template_update(
            template=obj, by=request.user, name=obj.name, subject=obj.subject, body=obj.body
        )


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "channel", "recipients", "created_by", "created_at")
    list_filter = ("kind", "channel")

    # Campaigns are created on the portal's page, which writes their messages.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _shown_to(obj: OutboxMessage) -> str:
    return obj.shown_to


_shown_to.short_description = OutboxMessage._meta.get_field("to").verbose_name


@admin.register(OutboxMessage)
class OutboxMessageAdmin(MaskedTextAdminMixin, ReadOnlyAdmin):
    list_display = ("id", "channel", "status", "enterprise", "purpose", "attempts", "created_at")
    # Addresses and texts as every list shows them: numbers masked.
    masked_text_fields = ("to", "body", "error")
    list_filter = ("status", "channel", "purpose")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise", "liaison", "campaign", "created_by")

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # A requester's or staff member's e-mail address too (OutboxMessage.shown_to).
        self.to_masked = _shown_to

    def get_exclude(self, request, obj=None):
        # A self-service message carries a liaison's personal link or one-time code: whoever
        # reads it could open the liaison's form, so nobody reads it here, admins included.
        # The template values repeat what the text says, unmasked: never shown.
        if obj is not None and obj.purpose.startswith("self-service"):
            return ("body", "params")
        return ("params",)
