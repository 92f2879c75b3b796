"""The light in the browser: staff log three failed contacts on the enterprise page and see
the badge turn yellow, then red, with the re-check and on-site tasks; a success turns it
green again. Then the dashboard."""

import io

from django.core.management import call_command
from playwright.sync_api import expect

from monitoring.models import ContactHealth, LightChange
from registry.demo import DEMO_PASSWORD


def _log(page, outcome: str, channel: str = "电话"):
    page.get_by_test_id("log-contact").click()
    expect(page.get_by_role("heading", name="记录联系")).to_be_visible()
    page.get_by_label(channel, exact=True).check()
    page.get_by_label(outcome, exact=True).check()
    page.get_by_role("button", name="保存联系记录").click()
    expect(page.get_by_test_id("health-panel")).to_be_visible()


def test_staff_watch_an_enterprise_turn_yellow_then_red_then_green(
    page, login, staff_user, worker_a, enterprise_a, shot
):
    login(page, staff_user.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    badge = page.get_by_test_id("health-panel").get_by_test_id("light")
    expect(badge).to_have_attribute("data-light", "green")

    _log(page, "无人接听")
    expect(badge).to_have_attribute("data-light", "green")
    expect(page.get_by_test_id("consecutive-failures")).to_have_text("1")

    _log(page, "无人接听")
    expect(badge).to_have_attribute("data-light", "yellow")
    expect(badge).to_have_text("黄灯")
    expect(page.get_by_test_id("open-tasks")).to_contain_text("外呼复核")
    shot(page, "enterprise-yellow")

    _log(page, "无人接听")
    expect(badge).to_have_attribute("data-light", "red")
    expect(page.get_by_test_id("open-tasks")).to_contain_text("实地核查")
    expect(page.get_by_test_id("start-procedure")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("灯色变为：红灯")
    shot(page, "enterprise-red")

    # The list shows the badge and filters by it.
    page.goto("/enterprises/?light=red")
    row = page.locator("table.list tbody tr", has_text=enterprise_a.name)
    expect(row.get_by_test_id("light")).to_have_attribute("data-light", "red")
    shot(page, "list-red")

    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    _log(page, "已联系上")
    expect(badge).to_have_attribute("data-light", "green")
    expect(page.get_by_test_id("outreach-panel")).not_to_contain_text("实地核查")
    expect(page.get_by_test_id("start-procedure")).to_have_count(0)
    shot(page, "enterprise-green-again")

    health = ContactHealth.objects.get(enterprise=enterprise_a)
    assert (health.light, health.consecutive_failures) == ("green", 0)
    assert list(LightChange.objects.order_by("at", "id").values_list("to_light", flat=True)) == [
        "yellow",
        "red",
        "green",
    ]


def test_the_dashboard_is_the_first_page_staff_see(page, login, settings, tmp_path, shot):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--enterprises", "150", "--seed", "3", stdout=io.StringIO())
    reds = ContactHealth.objects.filter(light="red").count()
    login(page, "staff", DEMO_PASSWORD)
    page.goto("/")
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    expect(page.get_by_test_id("count-red")).to_contain_text(str(reds))
    expect(page.get_by_test_id("trend-chart").locator("circle")).to_have_count(12)
    shot(page, "dashboard")
    page.get_by_test_id("count-red").click()
    expect(page.get_by_test_id("count")).to_contain_text(str(reds))
    expect(page.locator("table.list tbody [data-light='red']")).to_have_count(reds)
