"""A matter's attachments as staff use them: PDF and images brought on intake or later, told
by their content (not their name), limited in size and number, listed on the matter page and
downloaded only by those who may see the matter. A refused file is a clear message and a 400,
and then nothing is written: no matter, no row, no file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.models import Matter, MatterAttachment
from tests.outreach.matters.files import image_bytes, media_files, pdf_bytes, upload

pytestmark = pytest.mark.django_db

NEW = reverse("outreach:matters:new")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _intake_form(enterprise, tax, *files, **extra):
    return {
        "channel": "visit",
        "enterprise": enterprise.uscc,
        "requester_is_liaison": "on",
        "category": tax.pk,
        "urgency": "normal",
        "description": "带来税务局的补正通知和现场照片",
        "disposition": "received",
        "attachments": list(files),
        **extra,
    }


def test_files_brought_on_intake_are_listed_and_downloaded_whole(
    client, staff_user, enterprise_a, tax, media
):
    client.force_login(staff_user)
    pdf, photo = pdf_bytes(), image_bytes("JPEG")
    response = client.post(
        NEW,
        _intake_form(
            enterprise_a,
            tax,
            upload("补正通知.pdf", pdf, "application/pdf"),
            upload("IMG_0001.JPEG", photo, "image/jpeg"),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    matter = Matter.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "补正通知.pdf" in page and "IMG_0001.jpg" in page
    assert [s.action for s in matter.steps.all()] == ["intake", "attach"]

    first = matter.attachments.get(name="补正通知.pdf")
    download = client.get(reverse("outreach:matters:attachment", args=[first.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    # Stored by a name of ours, never the browser's.
    assert len(media_files(media)) == 2
    assert all(matter.number in name for name in media_files(media))


def test_only_those_who_may_see_the_matter_download_its_files(
    client, intake, staff_user, worker_a, worker_b, auditor
):
    matter = intake()
    [attachment] = services.matter_attachments_add(
        matter=matter, files=[upload("a.png", image_bytes())], by=staff_user
    )
    url = reverse("outreach:matters:attachment", args=[attachment.pk])
    for user, status in ((worker_a, 200), (auditor, 200), (worker_b, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("通知.pdf", b"<html><script>alert(1)</script></html>", "不是 PDF、JPEG 或 PNG"),
        ("照片.png", image_bytes()[:40], "不是 PDF、JPEG 或 PNG"),  # cut short
        ("扫描.pdf", b"%PDF-1.7\n% not really a pdf\n", "不是 PDF、JPEG 或 PNG"),
        ("动图.gif", b"GIF89a" + b"\0" * 64, "不是 PDF、JPEG 或 PNG"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(
    client, staff_user, enterprise_a, tax, media, name, content, says
):
    client.force_login(staff_user)
    response = client.post(
        NEW, _intake_form(enterprise_a, tax, upload("好.pdf", pdf_bytes()), upload(name, content))
    )
    assert response.status_code == 400
    error = response.context["form"].errors["attachments"][0]
    assert says in error and name in error
    assert 'data-testid="error-attachments"' in response.content.decode()
    assert not Matter.objects.exists()
    assert not MatterAttachment.objects.exists()
    assert media_files(media) == []


def test_a_file_over_the_size_limit_is_refused(client, staff_user, enterprise_a, tax, settings):
    settings.MATTER_ATTACHMENT_MAX_MB = 1
    client.force_login(staff_user)
    big = pdf_bytes() + b"\n%" + b"0" * (1024 * 1024)
    response = client.post(NEW, _intake_form(enterprise_a, tax, upload("大.pdf", big)))
    assert response.status_code == 400
    assert "大于 1 MB" in response.context["form"].errors["attachments"][0]
    assert not Matter.objects.exists()


def test_a_matter_holds_at_most_the_configured_number_of_files(
    client, intake, staff_user, settings
):
    settings.MATTER_ATTACHMENT_MAX_FILES = 2
    matter = intake(attachments=[upload("1.png", image_bytes())])
    client.force_login(staff_user)
    url = reverse("outreach:matters:attachments_add", args=[matter.pk])

    two_more = {"attachments": [upload("2.png", image_bytes()), upload("3.pdf", pdf_bytes())]}
    refused = client.post(url, two_more)
    assert refused.status_code == 400
    assert "最多 2 个文件" in refused.content.decode()
    assert matter.attachments.count() == 1

    accepted = client.post(url, {"attachments": [upload("2.png", image_bytes())]})
    assert accepted.status_code == 302
    assert matter.attachments.count() == 2
    assert matter.steps.filter(action="attach").count() == 2


def test_papers_brought_later_are_added_on_the_matter_page(client, intake, worker_a, media):
    matter = intake()
    client.force_login(worker_a)
    page = client.get(reverse("outreach:matters:detail", args=[matter.pk])).content.decode()
    assert 'data-testid="attachments-form"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(
        reverse("outreach:matters:attachments_add", args=[matter.pk]),
        {"attachments": [upload("租赁合同.pdf", pdf_bytes())]},
    )
    assert response.status_code == 302
    [attachment] = matter.attachments.all()
    assert attachment.uploaded_by == worker_a and attachment.content_type == "application/pdf"
    page = client.get(response["Location"]).content.decode()
    assert "租赁合同.pdf" in page

    nothing = client.post(reverse("outreach:matters:attachments_add", args=[matter.pk]), {})
    assert nothing.status_code == 400
    assert 'data-testid="error-attachments"' in nothing.content.decode()


def test_a_file_is_shown_under_the_extension_of_what_it_really_is(intake, staff_user):
    matter = intake()
    [attachment] = services.matter_attachments_add(
        matter=matter,
        files=[upload("C:\\Users\\王\\通知.exe", pdf_bytes())],
        by=staff_user,
    )
    assert attachment.name == "通知.exe.pdf"
    assert attachment.content_type == "application/pdf"


def test_an_intake_refused_after_its_files_were_stored_leaves_no_file(
    enterprise_a, staff_user, tax, media
):
    with pytest.raises(ServiceError) as refused:
        services.matter_intake(
            channel="phone",
            category=tax,
            description="来电咨询",
            by=staff_user,
            enterprise=enterprise_a,
            liaison=enterprise_a.current_liaison,
            disposition="routed",  # to nobody: refused after the files were written
            attachments=[upload("a.pdf", pdf_bytes())],
        )
    assert refused.value.field == "department"
    assert not Matter.objects.exists()
    assert media_files(media) == []


def test_the_refusal_reads_in_english_too(intake, staff_user):
    matter = intake()
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        services.matter_attachments_add(
            matter=matter, files=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00")], by=staff_user
        )
    assert refused.value.field == "attachments"
    assert "is not a PDF, JPEG or PNG file" in refused.value.message
