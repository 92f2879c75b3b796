"""Staff send a campaign from a filter of the enterprise list and watch it go out, in a real
Chromium, while a real Celery worker delivers the messages."""

import pytest
from playwright.sync_api import expect

from outreach.messaging.models import OutboxMessage
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import ALWAYS_OPEN
from tests.outreach.messaging.test_worker import RECORDING, _sweep_until


@pytest.fixture
def park(grid_a, grid_b):
    for i in range(3):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=f"甲区企业{i}号"))
    EnterpriseFactory(grid=grid_a, name="甲区无人联络公司")
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_b, name="乙区企业"))


def test_staff_send_a_campaign_and_see_each_recipients_result(
    page,
    login,
    staff_user,
    park,
    start_worker,
    tmp_path,
    shot,
    settings,
):

    login(page, staff_user.username)
    page.get_by_role("link", name="群发").first.click()
    page.get_by_test_id("new-campaign").click()
    page.get_by_label("群发名称").fill("端午节问候")
    page.get_by_label("类型").select_option(label="节日问候")
    page.get_by_label("消息模板").select_option(label="节日问候（短信）")
    page.get_by_label("网格").select_option(label="甲网格")
    expect(page.get_by_test_id("audience-enterprises")).to_have_text("已选 4 家企业")
    shot(page, "campaign-new")
    page.get_by_role("button", name="创建并预览").click()
    # The draft's preview, then "send now" (the window opened: the test runs at any hour).
    expect(page.get_by_test_id("preview-sendable")).to_have_text("将发送 3 条消息。")
    for name, value in ALWAYS_OPEN.items():
        setattr(settings, name, value)
    page.get_by_test_id("confirm").click()

    expect(page.get_by_role("heading", name="端午节问候")).to_be_visible()
    expect(page.get_by_test_id("count-waiting")).to_have_text("3")
    expect(page.get_by_test_id("count-skipped")).to_have_text("1")
    expect(page.get_by_test_id("recipients")).not_to_contain_text("乙区企业")

    record = tmp_path / "deliveries.log"
    worker = start_worker(SMS_BACKEND=RECORDING, SMS_RECORD_FILE=str(record))
    _sweep_until(
        worker,
        lambda: OutboxMessage.objects.filter(status="sent").count() == 3,
        timeout=60,
        what="three sent",
    )
    # The page polls by itself and shows the results without a reload.
    expect(page.get_by_test_id("count-sent")).to_have_text("3", timeout=10_000)
    expect(page.get_by_test_id("live")).to_have_attribute("data-finished", "true")
    expect(page.locator("tr[data-status=sent]")).to_have_count(3)
    expect(page.locator("tr[data-status=skipped]")).to_contain_text("该企业没有在任联络员")
    shot(page, "campaign-done")
