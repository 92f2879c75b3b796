"""Logging in, in a real Chromium: the first page every user of the portal sees."""

import re

from playwright.sync_api import expect


def test_an_anonymous_visit_lands_on_the_login_page_in_chinese(page, shot):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_focused()
    shot(page, "login")


def test_a_wrong_password_is_refused_in_chinese(page, worker_a, shot):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(worker_a.username)
    page.get_by_label("密码").fill("not-the-password")
    page.locator("main form button[type=submit]").click()

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_test_id("who")).to_have_count(0)
    shot(page, "login-wrong-password")


def test_the_grid_worker_lands_on_home_with_their_role_and_grid(page, login, worker_a, shot):
    login(page, worker_a.username)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("who")).to_have_text(worker_a.username)
    expect(page.get_by_test_id("role")).to_contain_text("网格员")
    expect(page.get_by_text("甲网格")).to_be_visible()
    shot(page, "home-grid-worker")


def test_the_language_switch_turns_the_page_to_english_and_back(page, login, worker_a, shot):
    login(page, worker_a.username)

    # Each language is named in its own words, whatever the page's language.
    expect(page.get_by_test_id("lang-switch")).to_have_text(
        re.compile(r"^\s*中文\s*/\s*English\s*$")
    )
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("role")).to_contain_text("Grid worker")
    expect(page).to_have_url(re.compile(r"/$"))
    shot(page, "home-grid-worker-en")

    expect(page.get_by_test_id("lang-switch")).to_have_text(
        re.compile(r"^\s*中文\s*/\s*English\s*$")
    )
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("role")).to_contain_text("网格员")


def test_the_login_page_works_at_phone_width(phone_page, login, worker_a, shot):
    phone_page.goto("/accounts/login/")
    shot(phone_page, "login-phone")
    no_sideways_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert phone_page.evaluate(no_sideways_scroll)

    login(phone_page, worker_a.username)
    expect(phone_page.get_by_test_id("role")).to_contain_text("网格员")
    assert phone_page.evaluate(no_sideways_scroll)
    shot(phone_page, "home-grid-worker-phone")
