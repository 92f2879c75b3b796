"""The emergency procedure (应急预案 三步走) for a red enterprise, walked to an evidence pack;
reaching the liaison ends it at any step; evidence files are checked."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from core.errors import ServiceError
from monitoring import kinds
from monitoring.evidence_pack import evidence_pack_pdf
from monitoring.models import EmergencyProcedure, Evidence
from monitoring.services import (
    evidence_add,
    procedure_advance,
    procedure_complete,
    procedure_start,
)
from outreach.models import Task
from registry.models import SensitiveView
from tests.monitoring.conftest import REACHED, TODAY, log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _receipt_pdf() -> bytes:
    """A two-page PDF, as a scanned EMS receipt would be."""
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    for page in (1, 2):
        drawing.drawString(100, 700, f"EMS receipt page {page}")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def _photo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 40), "orange").save(buffer, "PNG")
    return buffer.getvalue()


PDF = _receipt_pdf()
PNG = _photo_png()


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


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
    assert procedure.evidence_pack.name.endswith(".pdf")
    with procedure.evidence_pack.open("rb") as stored:
        content = stored.read()
    pages = _pages(content)
    # The index, the receipt's two pages, the photo's page: in the index's order.
    assert len(pages) == 4
    index = pages[0]
    assert red.name in index and red.uscc in index
    assert index.index("EA123456789CN") < index.index("房东李先生") < index.index("建议列入")
    assert "01-向注册地址寄送EMS函件-回执.pdf" in index.replace("\n", "")
    assert "从第 2 页起" in index and "从第 4 页起" in index
    assert [p.strip() for p in pages[1:3]] == ["EMS receipt page 1", "EMS receipt page 2"]
    assert "照片.png" in pages[3]
    outline = [item.title for item in PdfReader(io.BytesIO(content)).outline]
    assert outline[0].startswith("01-") and outline[1].endswith("照片.png")


def test_the_pack_masks_numbers_and_a_full_copy_is_for_those_who_may_see_them_and_logged(
    client, red, staff_user, auditor
):
    procedure = procedure_start(enterprise=red, by=staff_user)
    _walk_to_step_3(procedure, staff_user)
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.DOCUMENT,
        occurred_on=TODAY,
        summary="邻居说可打 13912345678 找到法人",
        by=staff_user,
    )
    procedure_complete(procedure=procedure, proposal="建议列入", by=staff_user)
    url = reverse("monitoring:evidence_pack", args=[procedure.pk])

    client.force_login(auditor)
    masked = client.get(url)
    assert masked["Content-Type"] == "application/pdf"
    text = "".join(_pages(b"".join(masked.streaming_content)))
    assert "139****5678" in text and "13912345678" not in text
    assert client.get(url, {"full": "1"}).status_code == 403
    assert not SensitiveView.objects.exists()

    client.force_login(staff_user)
    full = client.get(url, {"full": "1"})
    assert "13912345678" in "".join(_pages(b"".join(full.streaming_content)))
    logged = SensitiveView.objects.get()
    assert (logged.user, logged.enterprise, logged.channel) == (staff_user, red, "export")


def test_a_file_that_cannot_be_shown_is_attached_as_uploaded(red, staff_user):
    procedure = procedure_start(enterprise=red, by=staff_user)
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.EMS_LETTER,
        occurred_on=TODAY,
        tracking_number="EA1",
        file=SimpleUploadedFile("坏的.pdf", broken, content_type="application/pdf"),
        by=staff_user,
    )
    content = evidence_pack_pdf(procedure)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    assert "坏的.pdf" in reader.pages[1].extract_text()
    ((name, attached),) = reader.attachments.items()
    assert name.endswith("坏的.pdf") and attached == [broken]


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
    assert pack["Content-Type"] == "application/pdf"
    assert "EA9" in _pages(b"".join(pack.streaming_content))[0]
    # Auditors read the procedure but cannot work it.
    client.force_login(auditor)
    html = client.get(page).content.decode()
    assert 'data-testid="evidence-pack"' in html and 'data-testid="add-evidence"' not in html
