from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from liaison_portal.models import WorkerHeartbeat

admin.site.site_header = _("Liaison portal administration")
admin.site.site_title = _("Liaison portal")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at")
