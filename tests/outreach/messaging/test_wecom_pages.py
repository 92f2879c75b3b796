"""The WeCom group pages as admins, staff, grid workers and auditors use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outreach.messaging.models import MessageTemplate
from outreach.messaging.wecom import services
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry import clock
from registry.selectors import EnterpriseFilters
from tests.outreach.messaging.campaigns import campaign_send
from tests.outreach.messaging.wecom_fixtures import JPEG, KEY_A, PNG

pytestmark = pytest.mark.django_db


def _campaign(by):
    return campaign_send(
        name="春节问候",
        kind="holiday",
        template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
        filters=EnterpriseFilters(),
        by=by,
    )


def test_an_admin_adds_a_robot_and_its_key_is_never_shown_in_full(
    client, admin_user, staff_user, grid_a, enterprise_a
):
    client.force_login(admin_user)
    response = client.post(
        reverse("messaging:wecom:robot_new"),
        {
            "name": "甲网格联络员群",
            "grid": grid_a.pk,
            "key": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY_A}",
            "active": "on",
        },
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "已保存" in body
    robot = WeComRobot.objects.get()
    assert robot.key == KEY_A and robot.grid == grid_a
    assert f"xxxx…{KEY_A[-4:]}" in body

    # A post and its campaign, so every page has the robot on it.
    campaign = _campaign(staff_user)
    services.post_create(
        robots=[robot], msgtype="text", content="年报提醒", campaign=campaign, by=staff_user
    )
    robot.key_refused_at = clock.now()
    robot.key_refused_detail = "93000 invalid webhook url"
    robot.save()
    pages = [
        reverse("messaging:wecom:robots"),
        reverse("messaging:wecom:robot_edit", args=[robot.pk]),
        reverse("messaging:wecom:post_new"),
        reverse("messaging:wecom:posts"),
        reverse("messaging:wecom:campaign_posts", args=[campaign.pk]),
        reverse("messaging:campaign", args=[campaign.pk]),
        reverse("messaging:campaigns"),
    ]
    for user in (admin_user, staff_user):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            if response.status_code == 403:
                continue
            assert response.status_code == 200, url
            text = response.content.decode()
            # Not the key, nor any long piece of it.
            assert KEY_A not in text and KEY_A[:8] not in text and KEY_A[-12:] not in text, url


def test_the_edit_form_keeps_the_key_when_left_blank(client, admin_user, robot_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("messaging:wecom:robot_edit", args=[robot_a.pk]),
        {"name": "甲网格群（新）", "grid": "", "key": "", "active": "on"},
    )
    assert response.status_code == 302
    robot_a.refresh_from_db()
    assert (robot_a.name, robot_a.grid, robot_a.key) == ("甲网格群（新）", None, KEY_A)


def test_a_malformed_key_is_refused_with_a_clear_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("messaging:wecom:robot_new"), {"name": "新群", "key": "密钥 abc", "active": "on"}
    )
    assert response.status_code == 400
    assert "这不是群机器人的 Webhook 密钥" in response.content.decode()
    assert not WeComRobot.objects.exists()


def test_staff_may_not_manage_robots(client, staff_user, robot_a):
    client.force_login(staff_user)
    assert client.get(reverse("messaging:wecom:robots")).status_code == 403
    assert client.get(reverse("messaging:wecom:robot_edit", args=[robot_a.pk])).status_code == 403


def test_staff_post_a_text_to_two_groups(client, staff_user, robot_a, robot_b):
    client.force_login(staff_user)
    page = client.get(reverse("messaging:wecom:post_new")).content.decode()
    assert "发到企业微信群" in page and "甲网格联络员群" in page and "乙网格联络员群" in page
    response = client.post(
        reverse("messaging:wecom:post_new"),
        {"robots": [robot_a.pk, robot_b.pk], "msgtype": "text", "content": "台风预警，注意安全。"},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 条群消息正在发送" in body and "台风预警" in body
    assert WeComPost.objects.filter(status="queued").count() == 2


def test_an_image_is_uploaded_and_posted(client, staff_user, robot_a):
    client.force_login(staff_user)
    response = client.post(
        reverse("messaging:wecom:post_new"),
        {
            "robots": [robot_a.pk],
            "msgtype": "image",
            "image": SimpleUploadedFile("一图看懂.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    post = WeComPost.objects.get()
    assert bytes(post.image) == PNG and post.image_name == "一图看懂.png"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        # A text file named .png: the content decides, not the name or the browser's type.
        ("通知.png", "这不是图片".encode(), "该文件不是 JPG 或 PNG 图片"),
        ("大图.jpg", JPEG + b"\x00" * (2 * 1024 * 1024), "图片超过 2 MB"),
        ("空.png", b"", "空文件"),
    ],
)
def test_a_malformed_upload_gets_a_clear_400(client, staff_user, robot_a, name, data, message):
    client.force_login(staff_user)
    response = client.post(
        reverse("messaging:wecom:post_new"),
        {
            "robots": [robot_a.pk],
            "msgtype": "image",
            "image": SimpleUploadedFile(name, data, content_type="image/png"),
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WeComPost.objects.exists()


def test_an_image_post_without_a_file_gets_a_clear_400(client, staff_user, robot_a):
    client.force_login(staff_user)
    response = client.post(
        reverse("messaging:wecom:post_new"), {"robots": [robot_a.pk], "msgtype": "image"}
    )
    assert response.status_code == 400
    assert "图片文件是空的" in response.content.decode()


def test_a_post_without_a_group_gets_a_clear_400(client, staff_user, robot_a):
    client.force_login(staff_user)
    response = client.post(
        reverse("messaging:wecom:post_new"), {"msgtype": "text", "content": "你好"}
    )
    assert response.status_code == 400
    assert "请至少选择一个群" in response.content.decode()


def test_a_grid_worker_sees_and_posts_to_their_own_grids_group_only(
    client, worker_a, robot_a, robot_b, admin_user
):
    client.force_login(worker_a)
    page = client.get(reverse("messaging:wecom:post_new")).content.decode()
    assert "甲网格联络员群" in page and "乙网格联络员群" not in page
    response = client.post(
        reverse("messaging:wecom:post_new"),
        {"robots": [robot_b.pk], "msgtype": "text", "content": "你好"},
    )
    assert response.status_code == 400
    assert not WeComPost.objects.exists()

    services.post_create(robots=[robot_b], msgtype="text", content="乙网格通知", by=admin_user)
    listing = client.get(reverse("messaging:wecom:posts")).content.decode()
    assert "乙网格通知" not in listing


def test_a_campaigns_text_is_offered_for_the_groups_in_words_for_all(
    client, staff_user, enterprise_a, robot_a
):
    campaign = _campaign(staff_user)
    assert "{{" in campaign.body
    client.force_login(staff_user)
    page = client.get(reverse("messaging:wecom:post_new"), {"campaign": campaign.pk})
    text = page.content.decode()
    assert page.status_code == 200 and "春节问候" in text
    assert "{{" not in text.split("<textarea")[1].split("</textarea>")[0]

    response = client.post(
        reverse("messaging:wecom:post_new"),
        {
            "campaign": campaign.pk,
            "robots": [robot_a.pk],
            "msgtype": "markdown",
            "content": "**春节问候**\n各位联络员：新春快乐！",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:campaign", args=[campaign.pk])
    assert WeComPost.objects.get().campaign == campaign

    section = client.get(reverse("messaging:wecom:campaign_posts", args=[campaign.pk]))
    assert "企业微信群消息" in section.content.decode()
    assert "甲网格联络员群" in section.content.decode()
    detail = client.get(reverse("messaging:campaign", args=[campaign.pk])).content.decode()
    assert reverse("messaging:wecom:campaign_posts", args=[campaign.pk]) in detail


def test_the_posts_list_shows_statuses_and_a_refused_key(client, staff_user, robot_a):
    services.post_create(robots=[robot_a], msgtype="text", content="年报提醒", by=staff_user)
    WeComRobot.objects.filter(pk=robot_a.pk).update(key_refused_at=clock.now())
    client.force_login(staff_user)
    body = client.get(reverse("messaging:wecom:posts")).content.decode()
    assert "年报提醒" in body and "等待更新机器人密钥" in body
    assert "企业微信拒绝了群机器人“甲网格联络员群”的密钥" in body


def test_auditors_read_the_posts_but_post_nothing(client, auditor, robot_a, staff_user):
    services.post_create(robots=[robot_a], msgtype="text", content="年报提醒", by=staff_user)
    client.force_login(auditor)
    assert "年报提醒" in client.get(reverse("messaging:wecom:posts")).content.decode()
    assert client.get(reverse("messaging:wecom:post_new")).status_code == 403
