"""The campaign pages staff control a campaign with: the draft's preview, the test send, the
time to send and the window, the approval (in Chinese, as staff read them)."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AccountProfile
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage, SmsOptOut
from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db
PARK = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def park(grid_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=PARK), tick=False)
    for i in range(2):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=f"甲{i}"))
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="退订"), mobile="13900000001")
    SmsOptOut.objects.create(
        mobile="13900000001", keyword="R", created_at=datetime.datetime(2026, 11, 1, tzinfo=PARK)
    )
    EnterpriseFactory(grid=grid_a, name="无人")


def _create(client, **extra):
    template = MessageTemplate.objects.get(key="holiday-greeting-sms")
    return client.post(
        reverse("messaging:campaign_new"),
        {"name": "元旦问候", "kind": "holiday", "template": template.pk, "grid": "A", **extra},
        follow=True,
    )


def test_a_new_campaign_opens_on_its_preview_and_sends_nothing(client, staff_user, park):
    client.force_login(staff_user)
    response = _create(client)
    body = response.content.decode()
    assert response.status_code == 200
    assert "草稿已保存，尚未发送" in body
    assert "将发送 2 条消息。" in body
    assert "该号码已退订此类消息" in body and "该企业没有在任联络员" in body
    assert "预计计费短信" in body and "拒收请回复R" in body
    assert not OutboxMessage.objects.exists()


def test_a_test_send_goes_to_ones_own_mobile(client, staff_user, park):
    AccountProfile.objects.create(user=staff_user, mobile="13800138000")
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    page = client.get(reverse("messaging:campaign", args=[campaign.pk])).content.decode()
    assert "138****8000" in page and "13800138000" not in page
    response = client.post(reverse("messaging:campaign_test", args=[campaign.pk]), follow=True)
    assert "测试消息已发送至 138****8000" in response.content.decode()
    test = OutboxMessage.objects.get()
    assert test.purpose == "campaign-test" and test.campaign is None


def test_without_ones_own_mobile_the_page_says_so(client, staff_user, park):
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    response = client.post(reverse("messaging:campaign_test", args=[campaign.pk]), follow=True)
    assert "您的账号没有手机号" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_time_outside_the_window_is_refused_with_the_next_start(client, staff_user, park):
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    response = client.post(
        reverse("messaging:campaign_confirm", args=[campaign.pk]), {"send_at": "2026-12-05T10:00"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "不在发送时段内" in body and "2026-12-07 09:00" in body
    assert not OutboxMessage.objects.exists()


def test_a_scheduled_confirmation_shows_the_time(client, staff_user, park):
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    response = client.post(
        reverse("messaging:campaign_confirm", args=[campaign.pk]),
        {"send_at": "2026-12-02T15:00"},
        follow=True,
    )
    body = response.content.decode()
    assert "已确认：2 条消息正在发送" in body
    assert "2026-12-02 15:00" in body and "已确认" in body
    at = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=PARK)
    assert set(
        OutboxMessage.objects.filter(status="queued").values_list("next_attempt_at", flat=True)
    ) == {at}


def test_admins_see_waiting_campaigns_and_approve_them(
    client, staff_user, admin_user, park, settings
):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    response = client.post(reverse("messaging:campaign_confirm", args=[campaign.pk]), follow=True)
    assert "等待管理员审批" in response.content.decode()
    # Staff may not approve, not even by posting.
    assert client.post(reverse("messaging:campaign_approve", args=[campaign.pk])).status_code == 403

    client.force_login(admin_user)
    listing = client.get(reverse("messaging:campaigns")).content.decode()
    assert "1 个群发等待管理员审批" in listing
    waiting = client.get(reverse("messaging:campaigns"), {"status": "awaiting_approval"})
    assert [c.pk for c in waiting.context["page"].object_list] == [campaign.pk]
    response = client.post(reverse("messaging:campaign_approve", args=[campaign.pk]), follow=True)
    body = response.content.decode()
    assert "已审批：2 条消息正在发送" in body
    assert "alice_admin" in body or admin_user.get_full_name() in body
    campaign.refresh_from_db()
    assert campaign.approved_by == admin_user and campaign.status == "confirmed"


def test_an_admin_rejects_with_a_reason(client, staff_user, admin_user, park, settings):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    client.post(reverse("messaging:campaign_confirm", args=[campaign.pk]))
    client.force_login(admin_user)
    response = client.post(
        reverse("messaging:campaign_cancel", args=[campaign.pk]),
        {"reason": "措辞需修改"},
        follow=True,
    )
    assert "已取消" in response.content.decode() and "措辞需修改" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_preview_page_is_in_english_too(client, staff_user, park):
    client.force_login(staff_user)
    _create(client)
    campaign = Campaign.objects.get()
    try:
        body = client.get(
            reverse("messaging:campaign", args=[campaign.pk]), headers={"Accept-Language": "en"}
        ).content.decode()
    finally:
        translation.deactivate()  # the request left English active in this thread
    assert "2 messages will be sent." in body and "Left out, and why" in body
