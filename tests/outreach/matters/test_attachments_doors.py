"""Files through the other doors: the API (multipart on ``POST /api/matters/`` or later on
``POST /api/matters/<id>/attachments/``) and the liaison's 我有问题 page on a phone (photos
from the camera or the library, PDFs), with the same checks as the desk's page: a wrong type
or size is a 400 naming ``attachments`` and then nothing is kept."""

import pytest
from django.urls import reverse

from outreach.matters.models import Matter, MatterAttachment
from outreach.selfservice.services import selfservice_link_send
from tests.outreach.matters.files import image_bytes, media_files, pdf_bytes, upload
from tests.outreach.selfservice.test_pages import _unlock
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

URL = "/api/matters/"
FAKE_PDF = b"%PDF-1.7 not really a pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _body(tax, *files, **extra):
    return {
        "category": str(tax.pk),
        "description": "热线转来：附补正通知",
        "requester_name": "李会计",
        "attachments": list(files),
        **extra,
    }


def test_a_system_hands_in_a_matter_with_its_files(staff_user, tax, media):
    response = token_client(staff_user).post(
        URL,
        _body(
            tax,
            upload("补正通知.pdf", pdf_bytes(), "application/pdf"),
            upload("现场.png", image_bytes("PNG"), "image/png"),
        ),
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    matter = Matter.objects.get()
    assert [(a["name"], a["content_type"]) for a in response.json()["attachments"]] == [
        ("补正通知.pdf", "application/pdf"),
        ("现场.png", "image/png"),
    ]
    assert matter.attachments.count() == 2 and len(media_files(media)) == 2
    assert [s.action for s in matter.steps.all()] == ["intake", "attach"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("通知.pdf", FAKE_PDF, "type"),  # named PDF, is not one
        ("script.png", b"<script>alert(1)</script>", "type"),
        ("空.pdf", b"", "attachments"),  # DRF: the submitted file is empty
    ],
)
def test_a_wrong_file_on_intake_is_a_400_naming_attachments_and_nothing_is_kept(
    staff_user, tax, media, name, content, code
):
    response = token_client(staff_user).post(
        URL, _body(tax, upload(name, content)), format="multipart"
    )
    assert response.status_code == 400
    assert "attachments" in response.json()["errors"]
    assert not Matter.objects.exists() and not media_files(media)


def test_a_file_over_the_size_limit_is_refused_naming_attachments(settings, staff_user, tax, media):
    settings.MATTER_ATTACHMENT_MAX_MB = 1
    big = pdf_bytes() + b"%" * (1024 * 1024)
    response = token_client(staff_user).post(
        URL, _body(tax, upload("大.pdf", big, "application/pdf")), format="multipart"
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["attachments"]
    assert "1 MB" in message
    assert not Matter.objects.exists() and not media_files(media)


def test_json_cannot_carry_files(staff_user, tax):
    response = token_client(staff_user).post(
        URL, {**_body(tax), "attachments": ["aGVsbG8="]}, format="json"
    )
    assert response.status_code == 400 and "attachments" in response.json()["errors"]


def test_files_are_added_to_a_matter_later(intake, staff_user, media):
    matter = intake()
    url = f"/api/matters/{matter.pk}/attachments/"
    client = token_client(staff_user)

    added = client.post(
        url,
        {"attachments": [upload("IMG_2.JPG", image_bytes("JPEG"), "image/jpeg")]},
        format="multipart",
    )
    assert added.status_code == 201, added.json()
    assert [a["name"] for a in added.json()] == ["IMG_2.jpg"]

    refused = client.post(url, {"attachments": [upload("x.pdf", FAKE_PDF)]}, format="multipart")
    assert refused.status_code == 400 and "attachments" in refused.json()["errors"]
    empty = client.post(url, {}, format="multipart")
    assert empty.status_code == 400 and "attachments" in empty.json()["errors"]
    assert MatterAttachment.objects.filter(matter=matter).count() == 1
    assert len(media_files(media)) == 1


def test_adding_files_keeps_to_the_matters_scope(intake, worker_b, auditor, media):
    matter = intake()  # enterprise A's
    url = f"/api/matters/{matter.pk}/attachments/"
    files = {"attachments": [upload("a.pdf", pdf_bytes(), "application/pdf")]}
    assert token_client(worker_b).post(url, files, format="multipart").status_code == 404
    files = {"attachments": [upload("a.pdf", pdf_bytes(), "application/pdf")]}
    assert token_client(auditor).post(url, files, format="multipart").status_code == 403
    assert not MatterAttachment.objects.exists() and not media_files(media)


# --- The liaison's 我有问题 on a phone -----------------------------------------------------


def _ask_page(client, enterprise, staff_user) -> str:
    _unlock(client, selfservice_link_send(enterprise=enterprise, by=staff_user))
    return client.get(reverse("selfservice:ask")).content.decode()


def test_the_ask_page_offers_the_camera_photos_and_pdfs(client, enterprise_a, staff_user):
    page = _ask_page(client, enterprise_a, staff_user)
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*,.pdf,application/pdf"' in page and "multiple" in page
    assert 'capture="environment"' in page  # a phone opens its camera at once
    assert 'type="email"' in page


def test_the_liaison_sends_a_photo_and_a_pdf_with_the_question(
    client, enterprise_a, staff_user, media
):
    _ask_page(client, enterprise_a, staff_user)
    response = client.post(
        reverse("selfservice:ask"),
        {
            "description": "营业执照地址变更，附照片和通知",
            "attachments": [
                upload("IMG_20261130.jpeg", image_bytes("JPEG"), "image/jpeg"),
                upload("通知.pdf", pdf_bytes(), "application/pdf"),
            ],
        },
    )
    assert response.status_code == 200
    assert "已收到 2 个文件" in response.content.decode()
    matter = Matter.objects.get()
    assert sorted(a.name for a in matter.attachments.all()) == ["IMG_20261130.jpg", "通知.pdf"]
    assert matter.attachments.first().uploaded_by is None  # the liaison, no account
    assert len(media_files(media)) == 2


def test_a_wrong_file_on_the_ask_page_is_named_and_the_question_kept(
    client, enterprise_a, staff_user, media
):
    _ask_page(client, enterprise_a, staff_user)
    response = client.post(
        reverse("selfservice:ask"),
        {"description": "附件见下", "attachments": [upload("photo.heic", b"ftypheic....")]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-attachments"' in page and "photo.heic" in page
    assert "附件见下" in page  # the text typed on a phone is not lost
    assert not Matter.objects.exists() and not media_files(media)


def test_the_liaison_may_ask_for_the_answer_by_email(client, enterprise_a, staff_user):
    _ask_page(client, enterprise_a, staff_user)
    bad = client.post(
        reverse("selfservice:ask"), {"description": "请邮件答复", "requester_email": "zhang@"}
    )
    assert bad.status_code == 400 and 'data-testid="error-requester_email"' in bad.content.decode()
    done = client.post(
        reverse("selfservice:ask"),
        {"description": "请邮件答复", "requester_email": "zhang.wei@example.com"},
    )
    assert "将通过电子邮件答复您" in done.content.decode()
    assert Matter.objects.get().requester_email == "zhang.wei@example.com"
