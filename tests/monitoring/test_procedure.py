"""The emergency procedure (应急预案 三步走) for a red enterprise, walked to an evidence pack;
reaching the liaison ends it at any step; evidence files are checked."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ServiceError
from monitoring import kinds
from monitoring.models import EmergencyProcedure, Evidence
from monitoring.services import (
    evidence_add,
    procedure_advance,
    procedure_complete,
    procedure_start,
)
from outreach.models import Task
from tests.monitoring.conftest import REACHED, TODAY, log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def red(enterprise_a, staff_user):
    for _ in range(3):
        log(enterprise_a, by=staff_user)
    return enterprise_a


def _open_kinds(enterprise):
    return set(
        Task.objects.filter(enterprise=enterprise, status="open").values_list("kind", flat=True)
    )


def _walk_to_step_3(procedure, staff_user):
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.EMS_LETTER,
        occurred_on=TODAY,
        tracking_number="EA123456789CN",
        file=SimpleUploadedFile("回执.pdf", PDF, content_type="application/pdf"),
        by=staff_user,
    )
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.EMERGENCY_CONTACT_CALL,
        occurred_on=TODAY,
        who="王强（法人配偶）",
        summary="无人接听",
        by=staff_user,
    )
    procedure_advance(procedure=procedure, by=staff_user)
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.LANDLORD,
        occurred_on=TODAY,
        who="房东李先生",
        summary="公司三个月前已搬走，未留联系方式",
        file=SimpleUploadedFile("照片.png", PNG, content_type="image/png"),
        by=staff_user,
    )
    procedure_advance(procedure=procedure, by=staff_user)


def test_it_is_walked_step_by_step_to_an_evidence_pack(red, staff_user):
    procedure = procedure_start(enterprise=red, by=staff_user)
    assert kinds.PROCEDURE_STEPS[1] in _open_kinds(red)
    _walk_to_step_3(procedure, staff_user)
    procedure.refresh_from_db()
    assert procedure.step == EmergencyProcedure.Step.DISPOSITION
    assert kinds.PROCEDURE_STEPS[3] in _open_kinds(red)
    assert not _open_kinds(red) & {kinds.PROCEDURE_STEPS[1], kinds.PROCEDURE_STEPS[2]}

    procedure_complete(procedure=procedure, proposal="建议列入经营异常名录。", by=staff_user)
    procedure.refresh_from_db()
    assert procedure.status == EmergencyProcedure.Status.COMPLETED
    assert kinds.PROCEDURE_STEPS[3] not in _open_kinds(red)
    with procedure.evidence_pack.open("rb") as stored, zipfile.ZipFile(stored) as pack:
        names = pack.namelist()
        index = pack.read("00-index.txt").decode()
        assert pack.read(names[1]) == PDF  # the EMS receipt, first in order
    assert names[0] == "00-index.txt" and len(names) == 3
    assert index.index("EA123456789CN") < index.index("房东李先生") < index.index("建议列入")
    assert red.name in index


def test_step_one_needs_the_ems_letter_before_going_on(red, staff_user):
    procedure = procedure_start(enterprise=red, by=staff_user)
    with pytest.raises(ServiceError):
        procedure_advance(procedure=procedure, by=staff_user)
    with pytest.raises(ServiceError) as no_number:
        evidence_add(
            procedure=procedure, kind=Evidence.Kind.EMS_LETTER, occurred_on=TODAY, by=staff_user
        )
    assert no_number.value.field == "tracking_number"


def test_only_a_red_enterprise_starts_the_procedure(enterprise_a, staff_user):
    with pytest.raises(ServiceError):
        procedure_start(enterprise=enterprise_a, by=staff_user)


def test_reaching_the_liaison_ends_the_procedure_at_any_step(red, staff_user):
    procedure = procedure_start(enterprise=red, by=staff_user)
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.EMS_LETTER,
        occurred_on=TODAY,
        tracking_number="EA1",
        by=staff_user,
    )
    procedure_advance(procedure=procedure, by=staff_user)
    reached = log(red, REACHED, by=staff_user)
    procedure.refresh_from_db()
    assert procedure.status == EmergencyProcedure.Status.REACHED
    assert procedure.ended_by_attempt == reached
    assert not _open_kinds(red) & set(kinds.PROCEDURE_STEPS.values())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("木马.pdf", b"MZ\x90\x00 not a pdf", "只接受"),
        ("大.pdf", PDF + b"0" * (10 * 1024 * 1024), "大于"),
    ],
)
def test_evidence_files_are_checked_for_type_and_size(
    client, red, staff_user, name, content, message
):
    procedure = procedure_start(enterprise=red, by=staff_user)
    client.force_login(staff_user)
    response = client.post(
        reverse("monitoring:evidence_add", args=[procedure.pk]),
        {
            "kind": "ems_letter",
            "occurred_on": TODAY.isoformat(),
            "tracking_number": "EA1",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_procedure_in_the_browser_pages(client, red, staff_user, auditor):
    client.force_login(staff_user)
    page = reverse("registry:enterprise", args=[red.uscc])
    assert "启动应急预案" in client.get(page).content.decode()
    client.post(reverse("monitoring:procedure_start", args=[red.uscc]))
    procedure = EmergencyProcedure.objects.get()
    response = client.post(
        reverse("monitoring:evidence_add", args=[procedure.pk]),
        {
            "kind": "ems_letter",
            "occurred_on": TODAY.isoformat(),
            "tracking_number": "EA9",
            "file": SimpleUploadedFile("r.pdf", PDF),
        },
        follow=True,
    )
    assert "EA9" in response.content.decode()
    client.post(reverse("monitoring:procedure_advance", args=[procedure.pk]))
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.NEIGHBOUR,
        occurred_on=TODAY - datetime.timedelta(days=1),
        who="隔壁公司前台",
        summary="很久没见到人",
        by=staff_user,
    )
    client.post(reverse("monitoring:procedure_advance", args=[procedure.pk]))
    client.post(
        reverse("monitoring:procedure_complete", args=[procedure.pk]), {"proposal": "建议列入"}
    )
    pack = client.get(reverse("monitoring:evidence_pack", args=[procedure.pk]))
    assert pack["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(pack.streaming_content))).namelist()[0] == (
        "00-index.txt"
    )
    # Auditors read the procedure but cannot work it.
    client.force_login(auditor)
    html = client.get(page).content.decode()
    assert 'data-testid="evidence-pack"' in html and 'data-testid="add-evidence"' not in html
