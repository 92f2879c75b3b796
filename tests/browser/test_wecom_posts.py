"""Staff post a campaign's text to a WeCom group from the campaign's page, in a real
Chromium, and a real Celery worker delivers it to the WeCom stand-in."""

from django.urls import reverse
from playwright.sync_api import expect

from outreach.messaging.models import MessageTemplate
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry.selectors import EnterpriseFilters
from tests.outreach.messaging.campaigns import campaign_send
from tests.outreach.messaging.test_worker import _sweep_until
from tests.outreach.messaging.wecom_fixtures import KEY_A
from tests.standins.wecom import WeComStandIn


def test_staff_post_a_campaigns_text_to_a_group_from_its_page(
    page, login, staff_user, enterprise_a, grid_a, start_worker, shot
):
    WeComRobot.objects.create(name="甲网格联络员群", grid=grid_a, key=KEY_A)
    campaign = campaign_send(
        name="春节问候",
        kind="holiday",
        template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
        filters=EnterpriseFilters(),
        by=staff_user,
    )
    login(page, staff_user.username)
    page.goto(reverse("messaging:campaign", args=[campaign.pk]))
    expect(page.get_by_test_id("campaign-wecom-posts")).to_contain_text("此群发尚未发到企业微信群")
    page.get_by_test_id("post-campaign-to-groups").click()

    expect(page.get_by_role("heading", name="发到企业微信群")).to_be_visible()
    expect(page.get_by_label("消息内容")).not_to_have_value("")
    page.get_by_label("甲网格联络员群").check()
    shot(page, "wecom-post")
    page.get_by_role("button", name="发送").click()

    expect(page.get_by_role("heading", name="春节问候")).to_be_visible()
    expect(page.get_by_test_id("campaign-wecom-posts")).to_contain_text("甲网格联络员群")

    with WeComStandIn(keys={KEY_A}) as wecom:
        worker = start_worker(WECOM_WEBHOOK_BASE=wecom.url)
        _sweep_until(
            worker,
            lambda: WeComPost.objects.filter(status="sent").count() == 1,
            timeout=60,
            what="the post sent",
        )
        [request] = wecom.accepted(KEY_A)
    assert request.body["text"]["content"] == WeComPost.objects.get().content
    page.reload()
    expect(page.locator("[data-testid=campaign-wecom-posts] tr[data-status=sent]")).to_have_count(1)
