from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registry import masking
from registry.models import EmergencyContact, Enterprise, GridArea, Liaison, SensitiveView


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
@_with_masked_columns
class EnterpriseAdmin(MaskedAdminMixin, VersionedAdmin):
    masked_kind = "enterprise"
    list_display = ("name", "uscc", "grid", "status", "key_taxpayer", "pre_approval", "size")
    list_filter = ("status", "grid", "size", "key_taxpayer", "pre_approval", "marked_key")
    search_fields = ("name", "uscc", "liaisons__name", "liaisons__mobile")
    list_select_related = ("grid",)
    inlines = (LiaisonInline, EmergencyContactInline)
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(Liaison)
@_with_masked_columns
class LiaisonAdmin(MaskedAdminMixin, VersionedAdmin):
    masked_kind = "liaison"
    list_display = ("name", "enterprise", "masked_mobile", "started_on", "ended_on")
    list_filter = ("ended_on",)
    search_fields = ("name", "mobile", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)


@admin.register(EmergencyContact)
@_with_masked_columns
class EmergencyContactAdmin(MaskedAdminMixin, VersionedAdmin):
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
