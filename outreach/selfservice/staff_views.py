"""The staff side of self-service: send an enterprise's liaison a personal link (by SMS or
e-mail), or withdraw one that is still open. Both from the enterprise page's outreach panel
(POST only)."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.addresses import client_address
from core.errors import ServiceError
from outreach.selectors import can_work_tasks
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import (
    reported_handover,
    selfservice_handover_confirm,
    selfservice_link_revoke,
    selfservice_link_send,
)
from registry.access import require
from registry.calls import revealed_html
from registry.ids import parse_id
from registry.models import SensitiveView
from registry.selectors import enterprise_detail
from registry.services import sensitive_value_reveal


@require_POST
def link_send(request, uscc):
    require(can_work_tasks(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    try:
        selfservice_link_send(
            enterprise=enterprise, by=request.user, channel=request.POST.get("channel") or None
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("A personal link was sent to the liaison; any older link stops working.")
        )
    return redirect("registry:enterprise", enterprise.uscc)


@require_POST
def link_revoke(request, uscc):
    require(can_work_tasks(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    pk = parse_id(request.POST.get("link", ""))
    if pk is None:
        return HttpResponseBadRequest(_("Say which link to withdraw."))
    # Another enterprise's link is not found here, whoever asks.
    link = SelfServiceLink.objects.filter(enterprise=enterprise, pk=pk).first()
    if link is None:
        raise Http404
    selfservice_link_revoke(link=link, by=request.user)
    messages.success(request, _("The liaison's personal link was withdrawn."))
    return redirect("registry:enterprise", enterprise.uscc)


@require_POST
def successor_reveal(request, uscc):
    """The reported successor's mobile in full, for whoever may see full phones; logged."""
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    reported = reported_handover(enterprise)
    if reported is None:
        raise Http404
    value = sensitive_value_reveal(
        instance=reported,
        field="successor_mobile",
        by=request.user,
        channel=SensitiveView.Channel.PAGE,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return HttpResponse(revealed_html(reported, "successor_mobile", value))


@require_POST
def handover_confirm(request, uscc):
    require(can_work_tasks(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    reported = reported_handover(enterprise)
    if reported is None:
        messages.error(request, _("There is no reported handover to confirm."))
        return redirect("registry:enterprise", enterprise.uscc)
    try:
        selfservice_handover_confirm(link=reported, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is now the liaison and was sent their own link.")
            % {"name": reported.successor_name},
        )
    return redirect("registry:enterprise", enterprise.uscc)
