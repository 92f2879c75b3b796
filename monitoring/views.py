"""Monitoring's pages: pausing escalation, the emergency procedure, the dashboard. Thin:
parse, call a selector or a service, render. An enterprise outside a grid worker's grids is
a 404, as in the registry."""

import datetime
import io

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.addresses import client_address
from core.errors import ServiceError
from monitoring import services
from monitoring.evidence_pack import evidence_pack_pdf
from monitoring.forms import EvidenceForm, ProposalForm
from monitoring.models import EmergencyProcedure, Evidence
from monitoring.services.procedure import CONTACT_KINDS
from registry import masking
from registry import services as registry_services
from registry.access import can_edit_registry, require, visible_enterprises
from registry.ids import parse_id
from registry.models import BuildingContact
from registry.selectors import enterprise_detail

STEP_HINTS = {
    EmergencyProcedure.Step.VERIFICATION: gettext_lazy(
        "Send an EMS letter to the registered address (keep the tracking number and the "
        "receipt) and call the emergency contact and the legal representative's backup phone."
    ),
    EmergencyProcedure.Step.INQUIRY: gettext_lazy(
        "Ask the landlord, the property management and neighbouring companies: who, when, "
        "and what they said."
    ),
    EmergencyProcedure.Step.DISPOSITION: gettext_lazy(
        "Contact is confirmed impossible: the evidence pack gathers everything above, in "
        "order, with your proposal for listing in the abnormal-operations directory."
    ),
}


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


# --- The emergency procedure ------------------------------------------------------------


def _procedure(request, pk) -> EmergencyProcedure:
    """A procedure of an enterprise the user may see; 404 else."""
    return get_object_or_404(
        EmergencyProcedure.objects.select_related("enterprise").filter(
            enterprise__in=visible_enterprises(request.user).values("pk")
        ),
        pk=pk,
    )


def _workable_procedure(request, pk) -> EmergencyProcedure:
    require(can_edit_registry(request.user))
    return _procedure(request, pk)


@require_POST
def procedure_start(request, uscc):
    enterprise = _workable_enterprise(request, uscc)
    try:
        services.procedure_start(enterprise=enterprise, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The emergency procedure has started: step 1."))
    return _back(enterprise)


def _procedure_form(request, procedure, form, *, save, done, title, intro, submit):
    """A step's form: on a valid POST, `save(**cleaned_data)`; a service's refusal goes next to
    its field; the form again (400 with errors) otherwise."""
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done)
            return _back(procedure.enterprise)
    return render(
        request,
        "monitoring/form.html",
        {
            "form": form,
            "enterprise": procedure.enterprise,
            "title": title,
            "intro": intro,
            "submit": submit,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def evidence_add(request, pk):
    procedure = _workable_procedure(request, pk)
    building_id = procedure.enterprise.building_id
    contacts = BuildingContact.objects.filter(building_id=building_id) if building_id else None
    form = EvidenceForm(
        request.POST or None, request.FILES or None, step=procedure.step, contacts=contacts
    )
    if request.method == "GET" and "building_contact" in form.fields:
        # From the procedure's panel: "record what they said" of one contact.
        asked = contacts.filter(pk=parse_id(request.GET.get("contact"))).first()
        if asked is not None:
            form.initial.update(
                building_contact=asked.pk,
                kind=CONTACT_KINDS.get(asked.role, Evidence.Kind.DOCUMENT),
            )
    return _procedure_form(
        request,
        procedure,
        form,
        save=lambda **data: services.evidence_add(procedure=procedure, by=request.user, **data),
        done=_("Evidence recorded."),
        title=_("Add evidence: %(step)s") % {"step": procedure.get_step_display()},
        intro=STEP_HINTS[procedure.step],
        submit=_("Record the evidence"),
    )


@require_POST
def procedure_advance(request, pk):
    procedure = _workable_procedure(request, pk)
    try:
        procedure = services.procedure_advance(procedure=procedure, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Next step: %(step)s") % {"step": procedure.get_step_display()})
    return _back(procedure.enterprise)


@require_http_methods(["GET", "POST"])
def procedure_complete(request, pk):
    procedure = _workable_procedure(request, pk)
    return _procedure_form(
        request,
        procedure,
        ProposalForm(request.POST or None),
        save=lambda proposal: services.procedure_complete(
            procedure=procedure, proposal=proposal, by=request.user
        ),
        done=_("The evidence pack is ready and the listing proposed."),
        title=_("Legal disposition"),
        intro=STEP_HINTS[EmergencyProcedure.Step.DISPOSITION],
        submit=_("Assemble the evidence pack"),
    )


@require_GET
def evidence_pack(request, pk):
    """The completed procedure's evidence pack (a PDF): numbers in its free text masked, or
    with ``?full=1`` in full for those who may see phones whole, the copy logged as a view of
    sensitive data."""
    procedure = _procedure(request, pk)
    if not procedure.evidence_pack:
        raise Http404
    uscc = procedure.enterprise.uscc
    if not procedure.evidence_pack.name.endswith(".pdf"):
        # A pack assembled before issue 21: the ZIP as it was stored.
        return FileResponse(
            procedure.evidence_pack.open("rb"),
            as_attachment=True,
            filename=f"evidence-{uscc}-{procedure.pk}.zip",
            content_type="application/zip",
        )
    if request.GET.get("full") == "1":
        require(request.user.has_perm(masking.PHONE))
        content = evidence_pack_pdf(procedure, unmasked=True)
        registry_services.sensitive_export_record(
            by=request.user,
            enterprise=procedure.enterprise,
            record="emergencyprocedure",
            record_id=str(procedure.pk),
            fields=["evidence.who", "evidence.summary", "emergencyprocedure.proposal"],
            detail=_("Evidence pack in full"),
            ip_address=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=f"evidence-{uscc}-{procedure.pk}-full.pdf",
            content_type="application/pdf",
        )
    return FileResponse(
        procedure.evidence_pack.open("rb"),
        as_attachment=True,
        filename=f"evidence-{uscc}-{procedure.pk}.pdf",
        content_type="application/pdf",
    )


@require_GET
def evidence_file(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.select_related("procedure__enterprise").filter(
            procedure__enterprise__in=visible_enterprises(request.user).values("pk")
        ),
        pk=pk,
    )
    if not evidence.file:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file.name.rsplit("/", 1)[-1],
    )
