"""Material in campaigns and WeCom posts (issue 20): a campaign's text carries the attached
materials' links ({{ materials }}, added at the end when its template has no place for
them); a material posted to a group reaches the WeCom stand-in as the picture and a notice
with its link."""

import base64
import hashlib

import pytest
from django.test import TestCase
from django.urls import reverse

from core.errors import ServiceError
from outreach.materials.links import material_url
from outreach.materials.services import material_publish_set, material_wecom_post
from outreach.messaging import campaign_controls, services
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.messaging.preview import campaign_preview
from outreach.messaging.wecom import services as wecom_services
from outreach.messaging.wecom.models import WeComPost
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.wecom_fixtures import KEY_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(grid_a, enterprise_a):
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="甲二公司"), name="李娜")
    return grid_a


def _draft(by, materials, key="general-reminder-sms"):
    return services.campaign_create(
        name="年报资料",
        kind=Campaign.Kind.GENERAL,
        template=MessageTemplate.objects.get(key=key),
        filters=EnterpriseFilters(grid="A"),
        by=by,
        materials=materials,
    )


def test_the_campaign_text_carries_the_materials_links(
    clock, park, staff_user, image_material, video_material
):
    campaign = _draft(staff_user, [image_material, video_material])
    assert campaign.body.rstrip().endswith("{{ materials }}")
    with TestCase.captureOnCommitCallbacks(execute=False):
        campaign_controls.campaign_confirm(campaign=campaign, by=staff_user)
    messages = list(OutboxMessage.objects.filter(campaign=campaign))
    assert len(messages) == 2
    for message in messages:
        assert f"《一图看懂年报》{material_url(image_material)}" in message.body
        assert f"《年报操作视频》{material_url(video_material)}" in message.body
        assert "{{" not in message.body
        # A provider is sent the template's values: the links are one of them.
        assert message.params["materials"] in message.body


def test_the_preview_and_the_test_send_count_the_links(clock, park, staff_user, image_material):
    plain = campaign_preview(campaign=_draft(staff_user, []))
    with_links = campaign_preview(campaign=_draft(staff_user, [image_material]))
    assert with_links.longest >= plain.longest + len(material_url(image_material))
    campaign = _draft(staff_user, [image_material])
    from accounts.models import AccountProfile

    AccountProfile.objects.create(user=staff_user, mobile="13800138000")
    test = campaign_controls.campaign_test_send(campaign=campaign, by=staff_user)
    assert material_url(image_material) in test.body


def test_a_material_unpublished_after_the_draft_is_left_out(
    clock, park, staff_user, image_material, pdf_material
):
    campaign = _draft(staff_user, [image_material, pdf_material])
    material_publish_set(material=pdf_material, published=False, by=staff_user)
    with TestCase.captureOnCommitCallbacks(execute=False):
        campaign_controls.campaign_confirm(campaign=campaign, by=staff_user)
    body = OutboxMessage.objects.filter(campaign=campaign).first().body
    assert material_url(image_material) in body and material_url(pdf_material) not in body


def test_an_unpublished_material_cannot_be_attached(clock, park, staff_user, image_material):
    material_publish_set(material=image_material, published=False, by=staff_user)
    with pytest.raises(ServiceError) as refused:
        _draft(staff_user, [image_material])
    assert refused.value.field == "materials"


def test_a_real_provider_needs_an_approved_parameter_for_the_links(
    clock, park, staff_user, image_material, monkeypatch
):
    from outreach.messaging import refusals

    monkeypatch.setattr(refusals, "provider_requires_templates", lambda: True)
    template = MessageTemplate.objects.get(key="general-reminder-sms")
    template.provider_code = "SMS_1"
    template.provider_params = [["name", "liaison"]]
    template.save()
    with pytest.raises(ServiceError) as refused:
        _draft(staff_user, [image_material])
    assert refused.value.field == "materials"
    template.body += "{{ materials }}"
    template.provider_params = [["name", "liaison"], ["links", "materials"]]
    template.save()
    assert _draft(staff_user, [image_material]).materials.get() == image_material


def test_staff_attach_materials_on_the_new_campaign_page(
    client, clock, park, staff_user, image_material
):
    client.force_login(staff_user)
    page = client.get(reverse("messaging:campaign_new")).content.decode()
    assert 'data-testid="campaign-materials"' in page and "一图看懂年报" in page
    template = MessageTemplate.objects.get(key="general-reminder-sms")
    response = client.post(
        reverse("messaging:campaign_new"),
        {
            "name": "年报资料",
            "kind": "general",
            "template": template.pk,
            "grid": "A",
            "materials": [image_material.pk],
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert list(campaign.materials.all()) == [image_material]
    draft = client.get(reverse("messaging:campaign", args=[campaign.pk])).content.decode()
    assert "一图看懂年报" in draft


def test_a_campaigns_group_post_carries_its_materials_links(
    client, clock, park, staff_user, pdf_material, robot_a
):
    campaign = _draft(staff_user, [pdf_material])
    client.force_login(staff_user)
    page = client.get(reverse("messaging:wecom:post_new"), {"campaign": campaign.pk})
    assert material_url(pdf_material) in page.content.decode()


def test_an_image_material_is_posted_as_the_picture_and_a_notice_with_its_link(
    clock,
    staff_user,
    image_material,
    wecom,
    robot_a,
):
    posts = material_wecom_post(material=image_material, robots=[robot_a], by=staff_user)
    assert [post.msgtype for post in posts] == ["image", "markdown"]
    wecom_services.post_drain(max_seconds=30)
    # Two posts (the outbox's leased delivery promises no order between them).
    image, notice = sorted(wecom.accepted(KEY_A), key=lambda r: r.body["msgtype"] != "image")
    data = image_material.file.open("rb").read()
    assert image.body["msgtype"] == "image"
    assert base64.b64decode(image.body["image"]["base64"]) == data
    assert image.body["image"]["md5"] == hashlib.md5(data).hexdigest()
    assert notice.body["msgtype"] == "markdown"
    content = notice.body["markdown"]["content"]
    assert f"[一图看懂年报]({material_url(image_material)})" in content
    assert "年报" in content and "三步完成年报。" in content


def test_a_pdf_is_posted_as_a_notice_with_its_link(
    clock,
    staff_user,
    pdf_material,
    wecom,
    robot_a,
):
    material_wecom_post(material=pdf_material, robots=[robot_a], by=staff_user)
    wecom_services.post_drain(max_seconds=30)
    (notice,) = wecom.accepted(KEY_A)
    assert notice.body["msgtype"] == "markdown"
    assert material_url(pdf_material) in notice.body["markdown"]["content"]


def test_posting_from_the_page_follows_the_groups_rule(
    client,
    clock,
    worker_a,
    worker_b,
    video_material,
    wecom,
    robot_a,
):
    url = reverse("outreach:materials:wecom_post", args=[video_material.pk])
    client.force_login(worker_b)  # grid B: robot A's group is not theirs
    response = client.post(url, {"robots": [robot_a.pk]})
    assert response.status_code == 400
    assert not WeComPost.objects.exists()
    client.force_login(worker_a)
    assert client.post(url, {"robots": [robot_a.pk]}).status_code == 302
    assert WeComPost.objects.get().msgtype == "markdown"
