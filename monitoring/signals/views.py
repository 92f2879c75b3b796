"""The report page: thin, as monitoring.views. An enterprise outside a grid worker's grids is
a 404; an auditor may not report (403)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from monitoring.signals.forms import SignalForm
from monitoring.signals.models import EnterpriseSignal
from monitoring.signals.services import signal_record
from registry.access import can_edit_registry, require, visible_enterprises
from registry.selectors import enterprise_detail


@require_http_methods(["GET", "POST"])
def signal_new(request, uscc):
    require(can_edit_registry(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    form = SignalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = signal_record(enterprise=enterprise, by=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if recorded.created:
                messages.success(request, _("The report is recorded."))
            else:
                messages.info(request, _("This report was already recorded; nothing was added."))
            return redirect(reverse("registry:enterprise", args=[enterprise.uscc]) + "#h-signals")
    return render(
        request,
        "monitoring/form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "title": _("Report from outside"),
            "intro": _(
                "What a landlord, the property management, a courier or a neighbour told "
                "you, or what you saw yourself at the address."
            ),
            "submit": _("Record the report"),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def signal_photo(request, pk):
    """The report's photo, for whoever may see the enterprise (as evidence files)."""
    signal = get_object_or_404(
        EnterpriseSignal.objects.filter(
            enterprise__in=visible_enterprises(request.user).values("pk")
        ),
        pk=pk,
    )
    if not signal.photo:
        raise Http404
    return FileResponse(signal.photo.open("rb"), filename=signal.photo_name)
