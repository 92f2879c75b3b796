"""The emergency procedure (应急预案 三步走) of a red enterprise: each step a task with its
evidence; reaching the liaison at any step ends it (monitoring.services.health._calm).

1. multi-party verification: an EMS letter to the registered address (tracking number, date,
   receipt), calls to the emergency contact and the legal representative's backup phone;
2. external inquiry: landlord, property management, neighbours (who, when, what they said);
3. legal disposition: the evidence pack (one ZIP: an index and every file, in order) and a
   proposal for listing in the abnormal-operations directory.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from monitoring.evidence_pack import evidence_pack_pdf
from monitoring.kinds import PROCEDURE_STEPS
from monitoring.light import Light
from monitoring.models import ContactHealth, EmergencyProcedure, Evidence
from outreach.models import ContactAttempt, Task
from outreach.services import task_open, tasks_close_where
from registry import clock
from registry.models import BuildingContact, Enterprise

Step = EmergencyProcedure.Step
Kind = Evidence.Kind

STEP_DUE_DAYS = 7
MAX_FILE_BYTES = 10 * 1024 * 1024
TEXT_MAX = 2000
# What each step's evidence may be.
STEP_KINDS = {
    Step.VERIFICATION: {
        Kind.EMS_LETTER,
        Kind.EMERGENCY_CONTACT_CALL,
        Kind.LEGAL_BACKUP_CALL,
        Kind.DOCUMENT,
    },
    Step.INQUIRY: {Kind.LANDLORD, Kind.PROPERTY, Kind.NEIGHBOUR, Kind.DOCUMENT},
    Step.DISPOSITION: {Kind.DOCUMENT},
}
# What a step needs before the next one starts.
STEP_NEEDS = {
    Step.VERIFICATION: {Kind.EMS_LETTER},
    Step.INQUIRY: set(),  # at least one inquiry, any of them
}
# Accepted evidence files, told by their first bytes, not by the name a browser sent.
SIGNATURES = {
    b"%PDF-": ("pdf", "application/pdf"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
}


def procedures_end_reached(*, enterprise: Enterprise, attempt: ContactAttempt | None) -> int:
    """The liaison was reached: the open procedure ends, whatever step it was at."""
    return EmergencyProcedure.objects.filter(
        enterprise=enterprise, status=EmergencyProcedure.Status.OPEN
    ).update(
        status=EmergencyProcedure.Status.REACHED,
        ended_at=clock.now(),
        ended_by_attempt=attempt,
    )


def _open_step_task(procedure: EmergencyProcedure, by) -> Task:
    return task_open(
        enterprise=procedure.enterprise,
        kind=PROCEDURE_STEPS[procedure.step],
        source=Task.Source.RULE,
        due_on=clock.today() + datetime.timedelta(days=STEP_DUE_DAYS),
        by=by,
    )


def _locked_open(procedure: EmergencyProcedure) -> EmergencyProcedure:
    locked = (
        EmergencyProcedure.objects.select_for_update()
        .select_related("enterprise")
        .get(pk=procedure.pk)
    )
    if not locked.is_open:
        raise ServiceError(_("This procedure has ended."), code="ended")
    return locked


def procedure_start(*, enterprise: Enterprise, by) -> EmergencyProcedure:
    """Start the procedure for a red enterprise (step 1 and its task)."""
    with transaction.atomic():
        Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        health = ContactHealth.objects.filter(enterprise=enterprise).first()
        if health is None or health.light != Light.RED:
            raise ServiceError(_("The emergency procedure is for red enterprises."), code="not_red")
        if EmergencyProcedure.objects.filter(
            enterprise=enterprise, status=EmergencyProcedure.Status.OPEN
        ).exists():
            raise ServiceError(_("The procedure is already under way."), code="open")
        procedure = EmergencyProcedure.objects.create(
            enterprise=enterprise, started_at=clock.now(), started_by=by
        )
        _open_step_task(procedure, by)
    return procedure


def _checked_file(upload: UploadedFile) -> tuple[str, bytes]:
    if upload.size > MAX_FILE_BYTES:
        raise ServiceError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            field="file",
            code="too_large",
        )
    content = upload.read()
    for signature, (extension, _mime) in SIGNATURES.items():
        if content.startswith(signature):
            return extension, content
    raise ServiceError(
        _("Only PDF, JPEG and PNG files are accepted as evidence."), field="file", code="type"
    )


def evidence_add(
    *,
    procedure: EmergencyProcedure,
    kind: str,
    occurred_on: datetime.date,
    by,
    who: str = "",
    tracking_number: str = "",
    summary: str = "",
    file: UploadedFile | None = None,
    building_contact: BuildingContact | None = None,
) -> Evidence:
    """Add one piece of evidence to the procedure's current step. Step 2 may name the
    contact of the enterprise's building who was asked (房东联络群); ``who`` then says who
    they are unless typed."""
    who, tracking_number, summary = who.strip(), tracking_number.strip(), summary.strip()
    if building_contact is not None:
        who = who or contact_label(building_contact)
    if occurred_on > clock.today():
        raise ServiceError(_("The date cannot be in the future."), field="occurred_on")
    if len(summary) > TEXT_MAX or len(who) > 100 or len(tracking_number) > 40:
        raise ServiceError(_("Too long."), field="summary", code="too_long")
    checked = _checked_file(file) if file is not None else None
    with transaction.atomic():
        procedure = _locked_open(procedure)
        if kind not in STEP_KINDS.get(procedure.step, set()):
            raise ServiceError(
                _("This kind of evidence does not belong to the current step."), field="kind"
            )
        if building_contact is not None and (
            procedure.step != Step.INQUIRY
            or building_contact.building_id != procedure.enterprise.building_id
        ):
            raise ServiceError(
                _("This contact is not one of the enterprise's building."),
                field="building_contact",
            )
        if kind == Kind.EMS_LETTER and not tracking_number:
            raise ServiceError(
                _("An EMS letter needs its tracking number."), field="tracking_number"
            )
        if kind in {Kind.LANDLORD, Kind.PROPERTY, Kind.NEIGHBOUR} and not (who and summary):
            raise ServiceError(
                _("Say whom you asked and what they said."), field="summary", code="required"
            )
        evidence = Evidence(
            procedure=procedure,
            step=procedure.step,
            kind=kind,
            occurred_on=occurred_on,
            who=who,
            tracking_number=tracking_number,
            summary=summary,
            by=by,
            building_contact=building_contact,
        )
        if checked is not None:
            extension, content = checked
            evidence.file_name = (file.name or "")[-200:]
            evidence.file.save(f"{kind}.{extension}", ContentFile(content), save=False)
        evidence.save()
    return evidence


# Which kind of inquiry asking a building's contact is.
CONTACT_KINDS = {
    BuildingContact.Role.LANDLORD: Kind.LANDLORD,
    BuildingContact.Role.PROPERTY_MANAGER: Kind.PROPERTY,
    BuildingContact.Role.FRONT_DESK: Kind.PROPERTY,
}


def contact_label(contact: BuildingContact) -> str:
    """A building's contact as the evidence names them: name, role, organisation."""
    parts = [contact.get_role_display(), contact.organisation]
    return f"{contact.name}（{'，'.join(str(p) for p in parts if p)}）"[:100]


def procedure_advance(*, procedure: EmergencyProcedure, by) -> EmergencyProcedure:
    """Step 1 → 2 → 3, once the current step holds its evidence."""
    with transaction.atomic():
        procedure = _locked_open(procedure)
        if procedure.step >= Step.DISPOSITION:
            raise ServiceError(_("This is the last step."), code="last")
        kinds_here = set(
            procedure.evidence.filter(step=procedure.step).values_list("kind", flat=True)
        )
        missing = STEP_NEEDS[procedure.step] - kinds_here
        if not kinds_here or missing:
            raise ServiceError(
                _("Record this step's evidence first (step 1: at least the EMS letter)."),
                code="no_evidence",
            )
        tasks_close_where(
            tasks=Task.objects.filter(
                enterprise=procedure.enterprise, kind=PROCEDURE_STEPS[procedure.step]
            ),
            by=by,
            note=_("Step done; the procedure goes on."),
        )
        procedure.step += 1
        procedure.save(update_fields=["step"])
        _open_step_task(procedure, by)
    return procedure


def procedure_complete(*, procedure: EmergencyProcedure, proposal: str, by) -> EmergencyProcedure:
    """Step 3: write the proposal, assemble the evidence pack, end the procedure."""
    proposal = (proposal or "").strip()
    if not proposal:
        raise ServiceError(
            _("Write the proposal for listing in the abnormal-operations directory."),
            field="proposal",
            code="required",
        )
    if len(proposal) > TEXT_MAX:
        raise ServiceError(_("Too long."), field="proposal", code="too_long")
    with transaction.atomic():
        procedure = _locked_open(procedure)
        if procedure.step != Step.DISPOSITION:
            raise ServiceError(_("Finish steps 1 and 2 first."), code="too_early")
        procedure.proposal = proposal
        # The stored pack is the masked one; a full copy is drawn on request and logged
        # (monitoring.views.evidence_pack).
        procedure.evidence_pack.save(
            f"{procedure.enterprise.uscc}-{procedure.pk}.pdf",
            ContentFile(evidence_pack_pdf(procedure)),
            save=False,
        )
        procedure.status = EmergencyProcedure.Status.COMPLETED
        procedure.ended_at = clock.now()
        procedure.save()
        tasks_close_where(
            tasks=Task.objects.filter(
                enterprise=procedure.enterprise, kind=PROCEDURE_STEPS[Step.DISPOSITION]
            ),
            by=by,
            note=_("Evidence pack assembled and listing proposed."),
        )
    return procedure
