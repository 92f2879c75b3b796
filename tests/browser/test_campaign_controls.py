"""A campaign staff control in a real Chromium (issue 15): created as a draft, previewed, sent
as a test to the sender's own phone, scheduled within the sending window and, being above the
approval size, approved by an admin, whose approval is on the record."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import AccountProfile
from outreach.messaging import window
from outreach.messaging.models import Campaign, OutboxMessage
from registry import clock
from registry.workdays import WorkCalendar
from tests.factories import EnterpriseFactory, LiaisonFactory


@pytest.fixture
def park(grid_a, grid_b):
    for i in range(3):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=f"甲区企业{i}号"))
    EnterpriseFactory(grid=grid_a, name="甲区无人联络公司")
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_b, name="乙区企业"))


def test_a_campaign_is_previewed_tested_scheduled_and_approved(
    page, new_context, login, staff_user, admin_user, park, settings, shot
):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 2
    AccountProfile.objects.create(user=staff_user, mobile="13800138000")
    # A time within the window, whenever the test runs: the window's start two days on.
    day = clock.today() + datetime.timedelta(days=2)
    at = window.next_start(
        clock.start_of_day(day), calendar=WorkCalendar.load()
    ) + datetime.timedelta(minutes=30)
    local = clock.local(at)

    login(page, staff_user.username)
    page.get_by_role("link", name="群发").first.click()
    page.get_by_test_id("new-campaign").click()
    page.get_by_label("群发名称").fill("元旦问候")
    page.get_by_label("类型").select_option(label="节日问候")
    page.get_by_label("消息模板").select_option(label="节日问候（短信）")
    page.get_by_label("网格").select_option(label="甲网格")
    expect(page.get_by_test_id("audience-enterprises")).to_have_text("已选 4 家企业")
    page.get_by_role("button", name="创建并预览").click()

    # The preview: nothing sent yet.
    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿：未发送")
    expect(page.get_by_test_id("preview-sendable")).to_have_text("将发送 3 条消息。")
    expect(page.get_by_test_id("left-out-no_liaison")).to_have_text("1")
    expect(page.get_by_test_id("preview-estimate")).to_contain_text("预计计费短信")
    expect(page.get_by_test_id("preview-approval")).to_be_visible()
    assert not OutboxMessage.objects.exists()
    shot(page, "campaign-preview")

    # A test to the sender's own phone.
    page.get_by_test_id("test-send").click()
    expect(page.get_by_text("测试消息已发送至 138****8000")).to_be_visible()
    expect(page.get_by_test_id("test-result")).to_be_visible()
    test = OutboxMessage.objects.get()
    assert (test.to, test.purpose, test.campaign) == ("13800138000", "campaign-test", None)

    # Scheduled within the window; above the size it waits for an admin.
    page.get_by_label("发送时间（园区时间）").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("待管理员审批")
    expect(page.get_by_test_id("campaign-send-at")).to_have_text(local.strftime("%Y-%m-%d %H:%M"))
    campaign = Campaign.objects.get()
    assert not OutboxMessage.objects.filter(campaign=campaign).exists()

    admin = new_context().new_page()
    login(admin, admin_user.username)
    admin.get_by_role("link", name="群发").first.click()
    admin.get_by_test_id("awaiting-approval").get_by_role("link").click()
    admin.get_by_role("link", name="元旦问候").click()
    shot(admin, "campaign-approval")
    admin.get_by_test_id("approve").click()
    expect(admin.get_by_test_id("campaign-status")).to_have_text("已确认")
    expect(admin.get_by_test_id("campaign-approved")).to_contain_text(
        admin_user.get_full_name() or admin_user.username
    )
    expect(admin.get_by_test_id("count-waiting")).to_have_text("3")

    campaign.refresh_from_db()
    assert campaign.approved_by == admin_user and campaign.status == "confirmed"
    queued = OutboxMessage.objects.filter(campaign=campaign, status="queued")
    assert {m.next_attempt_at for m in queued} == {at}
    shot(admin, "campaign-approved")
