"""Monitoring's pages: pausing escalation, the emergency procedure, the dashboard. Thin:
parse, call a selector or a service, render. An enterprise outside a grid worker's grids is
a 404, as in the registry."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring import services
from registry.access import can_edit_registry, require
from registry.errors import ServiceError
from registry.selectors import enterprise_detail


def _workable_enterprise(request, uscc):
    require(can_edit_registry(request.user))
    return enterprise_detail(user=request.user, uscc=uscc)


def _back(enterprise):
    return redirect(reverse("registry:enterprise", args=[enterprise.uscc]) + "#h-health")


@require_POST
def pause(request, uscc):
    enterprise = _workable_enterprise(request, uscc)
    try:
        until = datetime.date.fromisoformat(request.POST.get("until", ""))
    except ValueError:
        messages.error(request, _("Enter the last day of the pause."))
        return _back(enterprise)
    try:
        services.health_pause(
            enterprise=enterprise,
            until=until,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Escalation is paused."))
    return _back(enterprise)


@require_POST
def resume(request, uscc):
    enterprise = _workable_enterprise(request, uscc)
    services.health_resume(enterprise=enterprise, by=request.user)
    messages.success(request, _("The pause has ended."))
    return _back(enterprise)
