from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registry import masking
from registry.models import (
    EmergencyContact,
    Enterprise,
    GridArea,
    Liaison,
    SecurityEvent,
    SensitiveView,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For tables written only through the services (logs, tasks, the outbox): the admin
    reads them; adding, changing or deleting here would bypass the services' rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaskedTextAdminMixin:
    """Free text (notes, message texts, addresses) shown with every phone and ID number in
    it masked (masking.mask_free_text): a person or the portal may have written one in.
    For read-only admins, where every field is displayed rather than edited."""

    masked_text_fields: tuple[str, ...] = ()

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for name in self.masked_text_fields:
            label = model._meta.get_field(name).verbose_name

            def show(obj, name=name):
                return masking.mask_free_text(getattr(obj, name))

            show.short_description = label
            setattr(self, f"{name}_masked", show)

    def get_fields(self, request, obj=None):
        return [
            f"{name}_masked" if name in self.masked_text_fields else name
            for name in super().get_fields(request, obj)
        ]


def _masked_display(kind: str, field: str):
    """A read-only admin column showing a protected field masked."""

    model = {"enterprise": Enterprise, "liaison": Liaison, "emergencycontact": EmergencyContact}
    label = model[kind]._meta.get_field(field).verbose_name

    @admin.display(description=label)
    def show(obj):
        return masking.masked(kind, field, getattr(obj, field))

    show.__name__ = f"masked_{field}"
    return show


class MaskedAdminMixin:
    """The Django admin shows protected fields masked like every page does; the full value
    is behind the portal's logged "show". A new record may still be typed in full."""

    masked_kind = ""

    def _protected(self):
        return list(masking.PROTECTED[self.masked_kind])

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude + self._protected() if obj is not None else exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [f"masked_{name}" for name in self._protected()]
        return readonly

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if not f.startswith("masked_")]
        if obj is not None:
            protected = set(self._protected())
            fields = [f for f in fields if f not in protected]
            fields += [f"masked_{name}" for name in self._protected()]
        return fields


def _with_masked_columns(cls):
    for name in masking.PROTECTED[cls.masked_kind]:
        setattr(cls, f"masked_{name}", staticmethod(_masked_display(cls.masked_kind, name)))
    return cls


class PortalEditedAdmin(admin.ModelAdmin):
    """The registry's records are read here and edited in the portal: there the services
    check the version, tell a liaison what staff corrected and tag the history with its door.
    A save here would do none of that, so the admin only shows them, with a link to the
    record's page in the portal."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("in the portal"))
    def portal_link(self, obj):
        enterprise = obj if isinstance(obj, Enterprise) else getattr(obj, "enterprise", None)
        if enterprise is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("registry:enterprise", args=[enterprise.uscc]),
            _("View and edit in the portal"),
        )

    def get_readonly_fields(self, request, obj=None):
        return ["portal_link", *super().get_readonly_fields(request, obj)]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "portal_link"]
        return ["portal_link", *fields]


class LiaisonInline(admin.TabularInline):
    """Read-only here: liaisons are changed on their own admin page or the portal's."""

    model = Liaison
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("name", "position", "masked_mobile", "email", "started_on", "ended_on")
    readonly_fields = fields
    ordering = ("ended_on", "-started_on")
    show_change_link = True


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("name", "relation", "masked_phone")
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return masking.masked("emergencycontact", "phone", obj.phone)


@admin.register(GridArea)
class GridAreaAdmin(ReadOnlyAdmin):
    """Grid areas and their workers are edited on the portal's grid pages, where a change of
    workers (of who may see which enterprises) goes to the security log."""

    list_display = ("code", "name", "worker_names")
    search_fields = ("code", "name")
    filter_horizontal = ("workers",)

    @admin.display(description=_("grid workers"))
    def worker_names(self, obj):
        return "、".join(worker.username for worker in obj.workers.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("workers")


@admin.register(Enterprise)
@_with_masked_columns
class EnterpriseAdmin(MaskedAdminMixin, PortalEditedAdmin):
    masked_kind = "enterprise"
    list_display = ("name", "uscc", "grid", "status", "key_taxpayer", "pre_approval", "size")
    list_filter = ("status", "grid", "size", "key_taxpayer", "pre_approval", "marked_key")
    search_fields = ("name", "uscc", "liaisons__name", "liaisons__mobile")
    list_select_related = ("grid",)
    inlines = (LiaisonInline, EmergencyContactInline)
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(Liaison)
@_with_masked_columns
class LiaisonAdmin(MaskedAdminMixin, PortalEditedAdmin):
    masked_kind = "liaison"
    list_display = ("name", "enterprise", "masked_mobile", "started_on", "ended_on")
    list_filter = ("ended_on",)
    search_fields = ("name", "mobile", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)


@admin.register(EmergencyContact)
@_with_masked_columns
class EmergencyContactAdmin(MaskedAdminMixin, PortalEditedAdmin):
    masked_kind = "emergencycontact"
    list_display = ("name", "relation", "masked_phone", "enterprise")
    search_fields = ("name", "phone", "enterprise__name")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)


@admin.register(SensitiveView)
class SensitiveViewAdmin(ReadOnlyAdmin):
    """The log is evidence: readable, never editable."""

    list_display = ("viewed_at", "user", "enterprise", "fields", "channel", "detail", "ip_address")
    list_filter = ("channel", "record")
    search_fields = ("user__username", "enterprise__name", "enterprise__uscc")
    list_select_related = ("user", "enterprise")


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security log: read here or on its page; the database refuses changes anyway."""

    list_display = ("at", "action", "username", "address", "target")
    list_filter = ("action",)
    search_fields = ("username", "target", "address")
    date_hierarchy = "at"
