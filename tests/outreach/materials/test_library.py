"""The material library (issue 20, material): files checked by content and size, the public
link (tampered or unpublished: the friendly 404), files served only through it, the staff
pages and who may use them."""

import pytest
from django.test import override_settings
from django.urls import reverse

from core.errors import ServiceError
from outreach.materials.links import material_url
from outreach.materials.models import Material
from outreach.materials.services import material_create, material_publish_set
from tests.outreach.matters.files import image_bytes, media_files, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _create(staff_user, topic, **kwargs):
    return material_create(title="资料", topic=topic, by=staff_user, **kwargs)


@pytest.mark.parametrize(
    ("kind", "name", "content", "code"),
    [
        ("pdf", "伪装.pdf", b"%PDF-1.4 not really a pdf", "type"),
        ("image", "脚本.png", b"<script>alert(1)</script>", "type"),
        ("image", "文件.png", pdf_bytes(), "type"),  # a real PDF is no image
        ("pdf", "图.pdf", image_bytes(), "type"),
        ("pdf", "空.pdf", b"", "empty"),
    ],
)
def test_a_file_is_judged_by_its_content_and_its_kind(
    staff_user, topic, clock, _media, kind, name, content, code
):
    with pytest.raises(ServiceError) as refused:
        _create(staff_user, topic, kind=kind, upload=upload(name, content))
    assert (refused.value.field, refused.value.code) == ("file", code)
    assert not Material.objects.exists()
    assert not _media.exists() or media_files(_media) == []


def test_a_file_above_the_size_limit_is_refused(staff_user, topic, clock, _media):
    with override_settings(MATERIAL_MAX_MB=1):
        big = upload("大.pdf", pdf_bytes() + b"\0" * (1024 * 1024))
        with pytest.raises(ServiceError) as refused:
            _create(staff_user, topic, kind="pdf", upload=big)
    assert refused.value.code == "too_large"
    assert not Material.objects.exists()


def test_a_video_needs_an_address_and_no_file(staff_user, topic, clock):
    with pytest.raises(ServiceError) as refused:
        _create(staff_user, topic, kind="video", url="javascript:alert(1)")
    assert refused.value.field == "url"
    video = _create(staff_user, topic, kind="video", url="https://video.example.cn/v/1")
    assert not video.file and video.url == "https://video.example.cn/v/1"


def test_the_stored_name_is_ours_and_the_shown_name_is_cleaned(image_material, _media):
    assert image_material.file_name == "年报.png"
    assert image_material.content_type == "image/png"
    assert "年报" not in image_material.file.name  # stored by a name of our own
    assert len(image_material.token) == 32


def test_the_public_link_shows_an_image_to_anyone(client, image_material):
    response = client.get(reverse("material:page", args=[image_material.token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "一图看懂年报" in page and "三步完成年报。" in page
    assert reverse("material:file", args=[image_material.token]) in page
    assert response["Referrer-Policy"] == "same-origin"
    image = client.get(reverse("material:file", args=[image_material.token]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content) == image_material.file.open("rb").read()


def test_a_pdf_downloads_and_a_video_links_out(client, pdf_material, video_material):
    pdf = client.get(reverse("material:file", args=[pdf_material.token]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    page = client.get(reverse("material:page", args=[video_material.token])).content.decode()
    assert "https://video.example.cn/v/123" in page
    # A video has no file behind its link.
    assert client.get(reverse("material:file", args=[video_material.token])).status_code == 404


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character off
        lambda token: token[:-1],  # cut short
        lambda token: token + "x",
        lambda token: "~" + token[1:],  # a character no token has
        lambda token: "%00" + token[3:],
    ],
)
def test_a_tampered_token_is_the_friendly_404(client, image_material, tamper):
    token = tamper(image_material.token)
    for name in ("material:page", "material:file"):
        response = client.get(f"/m/{token}/" + ("file/" if name == "material:file" else ""))
        assert response.status_code == 404
    page = client.get(f"/m/{tamper(image_material.token)}/").content.decode()
    assert 'data-testid="material-missing"' in page
    assert "一图看懂年报" not in page


def test_an_unpublished_material_is_not_shown_and_its_file_not_served(
    client, image_material, staff_user
):
    material_publish_set(material=image_material, published=False, by=staff_user)
    page = client.get(reverse("material:page", args=[image_material.token]))
    assert page.status_code == 404 and "一图看懂年报" not in page.content.decode()
    assert client.get(reverse("material:file", args=[image_material.token])).status_code == 404
    # Published again: the same link works again.
    material_publish_set(material=image_material, published=True, by=staff_user)
    assert client.get(reverse("material:page", args=[image_material.token])).status_code == 200


def test_uploaded_files_are_not_public_media(client, image_material):
    # No route serves MEDIA_ROOT: the stored path is not an address.
    assert client.get("/media/" + image_material.file.name).status_code == 404


def test_the_link_is_absolute_on_the_portals_public_address(image_material):
    with override_settings(SELF_SERVICE_BASE_URL="https://lianluo.example.gov.cn/"):
        assert material_url(image_material) == (
            f"https://lianluo.example.gov.cn/m/{image_material.token}/"
        )


def test_staff_upload_filter_edit_and_unpublish_on_the_pages(client, staff_user, topic, clock):
    client.force_login(staff_user)
    response = client.post(
        reverse("outreach:materials:new"),
        {
            "title": "社保新政一图看懂",
            "topic": topic.pk,
            "kind": "image",
            "file": upload("社保.jpg", image_bytes("JPEG")),
            "published": "on",
        },
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.content_type == "image/jpeg" and material.file_name == "社保.jpg"
    other = Material.objects.create(
        title="登记改革解读",
        topic=topic.__class__.objects.get_or_create(name="登记改革")[0],
        kind="video",
        url="https://v.example.cn/1",
        token="t" * 32,
        created_by=staff_user,
        created_at=material.created_at,
        updated_at=material.created_at,
    )
    page = client.get(reverse("outreach:materials:list"), {"topic": topic.pk}).content.decode()
    assert "社保新政一图看懂" in page and "登记改革解读" not in page
    # A bad file on the page: 400 with the reason beside the field, nothing written.
    bad = client.post(
        reverse("outreach:materials:new"),
        {"title": "坏文件", "topic": topic.pk, "kind": "pdf", "file": upload("x.pdf", b"%PDF-")},
    )
    assert bad.status_code == 400
    assert 'data-testid="error-file"' in bad.content.decode()
    assert Material.objects.count() == 2
    # Edit: the title changes, the kind and the link stay.
    edit = client.post(
        reverse("outreach:materials:edit", args=[material.pk]),
        {"title": "社保公积金新政一图看懂", "topic": topic.pk, "published": "on"},
    )
    assert edit.status_code == 302
    material.refresh_from_db()
    assert material.title == "社保公积金新政一图看懂" and material.kind == "image"
    client.post(reverse("outreach:materials:publish", args=[other.pk]), {"published": "0"})
    other.refresh_from_db()
    assert not other.published


def test_a_grid_worker_and_an_auditor_read_the_library_but_do_not_keep_it(
    client, worker_a, auditor, image_material, topic
):
    for user in (worker_a, auditor):
        client.force_login(user)
        assert client.get(reverse("outreach:materials:list")).status_code == 200
        assert client.get(reverse("outreach:materials:new")).status_code == 403
        response = client.post(
            reverse("outreach:materials:publish", args=[image_material.pk]), {"published": "0"}
        )
        assert response.status_code == 403
    image_material.refresh_from_db()
    assert image_material.published
