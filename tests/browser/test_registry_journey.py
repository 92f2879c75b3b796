"""A grid worker's day in the registry, in a real Chromium: find an enterprise, correct the
liaison's mobile (a wrong value first), hand the role to a new person, and read both on the
timeline; the other grid's worker cannot reach it."""

import re

from playwright.sync_api import Page, expect

from registry.models import Liaison

NEW_MOBILE = "13811112222"


def _open_enterprise_a(page: Page, enterprise) -> None:
    page.get_by_role("link", name="企业名册", exact=True).first.click()
    page.get_by_role("searchbox").fill("甲乙")
    # Search as you type (htmx): the list narrows without pressing Enter.
    expect(page.get_by_test_id("count")).to_have_text("共 1 家企业")
    page.get_by_role("link", name=enterprise.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(enterprise.name)


def test_a_grid_worker_corrects_and_replaces_the_liaison(page, login, worker_a, enterprise_a, shot):
    login(page, worker_a.username)
    _open_enterprise_a(page, enterprise_a)
    liaison = page.get_by_test_id("current-liaison")
    expect(liaison).to_contain_text("张伟")
    expect(liaison).to_contain_text("139****5678")  # masked until "show"
    shot(page, "enterprise-page")

    liaison.get_by_role("link", name="编辑").click()
    page.get_by_label("手机号码").fill("1381111")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("error-mobile")).to_be_visible()
    shot(page, "liaison-edit-wrong-mobile")

    page.get_by_label("手机号码").fill(f"+86 {NEW_MOBILE}")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(enterprise_a.name)
    expect(page.get_by_test_id("current-liaison")).to_contain_text("138****2222")

    page.get_by_test_id("current-liaison").get_by_role("link", name="更换").click()
    page.get_by_label("姓名").fill("李娜")
    page.get_by_label("手机号码").fill("13922223333")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("liaison-name")).to_have_text("李娜")
    expect(page.get_by_test_id("past-liaisons")).to_contain_text("张伟")

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("联络员信息变更")  # the corrected mobile
    expect(timeline).to_contain_text("138****2222")  # masked there too
    expect(timeline).to_contain_text("联络员更换：张伟 → 李娜")  # 李娜 took over
    expect(timeline).not_to_contain_text(NEW_MOBILE)
    shot(page, "enterprise-page-after-replacement")

    # What the worker saw is what was stored: the old liaison ended, the new one current.
    stored = Liaison.objects.filter(enterprise=enterprise_a)
    assert stored.get(name="张伟").ended_on is not None
    assert stored.get(name="张伟").mobile == NEW_MOBILE
    assert stored.get(ended_on__isnull=True).name == "李娜"


def test_the_other_grids_worker_cannot_reach_it(page, login, worker_b, enterprise_a, shot):
    login(page, worker_b.username)
    page.get_by_role("link", name="企业名册", exact=True).first.click()
    page.get_by_role("searchbox").fill("甲乙")
    expect(page.get_by_test_id("count")).to_have_text("共 0 家企业")

    response = page.goto(f"/enterprises/{enterprise_a.uscc}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("张伟")
    response = page.goto(f"/enterprises/{enterprise_a.uscc}/liaison/edit/")
    assert response.status == 404
    shot(page, "enterprise-other-grid-404")


def test_the_enterprise_page_reads_at_phone_width(phone_page, login, worker_a, enterprise_a, shot):
    login(phone_page, worker_a.username)
    phone_page.goto(f"/enterprises/{enterprise_a.uscc}/")
    expect(phone_page.get_by_test_id("current-liaison")).to_contain_text("张伟")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone_page, "enterprise-page-phone")

    phone_page.get_by_role("button", name=re.compile("显示")).first.click()
    expect(phone_page.get_by_test_id("current-liaison")).to_contain_text("13912345678")
