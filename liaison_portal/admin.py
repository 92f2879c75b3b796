from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.product import product_name_lazy
from liaison_portal.models import WorkerHeartbeat

admin.site.site_header = format_lazy("{} · {}", product_name_lazy(), _("Administration"))
admin.site.site_title = product_name_lazy()


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at")
