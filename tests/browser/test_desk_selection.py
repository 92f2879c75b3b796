"""Staff at the desk in a real Chromium (issue 21): tick enterprises on the list and send their
liaisons personal links, choose "all that match", sort by a header; close ticked tasks with
one note. At desktop width and at phone width (390×844), without console errors."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from outreach.models import Task
from outreach.selfservice.models import SelfServiceLink
from outreach.services import task_open
from tests.factories import EnterpriseFactory, LiaisonFactory


def _watch_console(page: Page) -> list[str]:
    """Console errors (a CSP refusal, a script error) and failed loads, except the favicon's
    404 (another part of issue 21)."""
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def response(answer) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            errors.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    return errors


@pytest.fixture
def three_of_a(grid_a, enterprise_a):
    others = [EnterpriseFactory(grid=grid_a, name=f"甲网格{name}有限公司") for name in "丙丁"]
    for enterprise in others:
        LiaisonFactory(enterprise=enterprise)
    return [enterprise_a, *others]


def _tick_and_send_links(page: Page, enterprises) -> None:
    page.get_by_test_id("nav-tasks").wait_for()
    page.get_by_role("link", name="企业名册", exact=True).first.click()
    expect(page.get_by_test_id("count")).to_have_text("共 3 家企业")
    for enterprise in enterprises:
        page.get_by_role("checkbox", name=f"选择{enterprise.name}").check()
    expect(page.get_by_test_id("selected-count")).to_have_text(f"已勾选 {len(enterprises)} 项")
    page.get_by_test_id("bulk-links").click()
    expect(page.get_by_text("条专属链接已进入发件箱")).to_be_visible()


def test_staff_tick_two_enterprises_and_send_their_liaisons_links_at_desktop_width(
    page, login, staff_user, three_of_a, shot
):
    errors = _watch_console(page)
    login(page, staff_user.username)

    _tick_and_send_links(page, three_of_a[:2])

    shot(page, "desk-links-sent-desktop")
    sent = set(SelfServiceLink.objects.values_list("enterprise", flat=True))
    assert sent == {three_of_a[0].pk, three_of_a[1].pk}

    # "All that match" disables the ticks: the server re-runs the filter.
    page.get_by_test_id("select-all-matching").check()
    expect(page.get_by_test_id("pick").first).to_be_disabled()
    expect(page.get_by_test_id("selected-count")).to_have_text("已选 3 家企业")

    # A header click sorts (name descending), through htmx, keeping the sort menu in step.
    page.get_by_role("link", name="企业 ▲").click()
    expect(page.get_by_role("link", name="企业 ▼")).to_be_visible()
    expect(page.locator("select[name=sort]")).to_have_value("-name")
    names = page.get_by_test_id("enterprise-row").locator("td:nth-child(2) a").all_inner_texts()
    assert names == sorted(names, reverse=True)
    assert not errors, errors


def test_a_grid_worker_sends_links_from_a_phone(phone_page, login, worker_a, three_of_a, shot):
    errors = _watch_console(phone_page)
    page = login(phone_page, worker_a.username)

    _tick_and_send_links(page, three_of_a[1:])

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "desk-links-sent-phone")
    assert SelfServiceLink.objects.count() == 2
    assert not errors, errors


def test_a_grid_worker_closes_two_ticked_tasks_with_one_note_on_a_phone(
    phone_page, login, worker_a, three_of_a, shot
):
    today = timezone.localdate()
    tasks = [
        task_open(
            enterprise=enterprise,
            kind=Task.Kind.ROUTINE,
            source=Task.Source.PLAN,
            due_on=today + datetime.timedelta(days=days),
        )
        for enterprise, days in zip(three_of_a, (-1, 0, 0), strict=True)
    ]
    errors = _watch_console(phone_page)
    page = login(phone_page, worker_a.username)
    expect(page.get_by_test_id("task-badge")).to_have_text("3")

    page.get_by_test_id("nav-tasks").click()
    expect(page.get_by_test_id("my-overdue")).to_contain_text("1")
    expect(page.get_by_test_id("my-today")).to_contain_text("2")
    page.locator(f"[data-task='{tasks[0].pk}']").get_by_test_id("pick").check()
    page.locator(f"[data-task='{tasks[1].pk}']").get_by_test_id("pick").check()
    page.get_by_test_id("bulk-note").fill("电话核实，信息无变化")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "desk-tasks-ticked-phone")
    page.get_by_test_id("bulk-close").click()

    expect(page.get_by_text("已办结 2 项待办。")).to_be_visible()
    expect(page.get_by_test_id("task-badge")).to_have_text("1")
    shot(page, "desk-tasks-closed-phone")
    statuses = {t.pk: Task.objects.get(pk=t.pk).status for t in tasks}
    assert statuses == {
        tasks[0].pk: Task.Status.DONE,
        tasks[1].pk: Task.Status.DONE,
        tasks[2].pk: Task.Status.OPEN,
    }
    assert not errors, errors


def test_staff_reassign_ticked_tasks_at_desktop_width(
    page, login, staff_user, worker_a, three_of_a
):
    today = timezone.localdate()
    tasks = [
        task_open(
            enterprise=enterprise,
            kind=Task.Kind.ROUTINE,
            source=Task.Source.PLAN,
            due_on=today,
            assignee=staff_user,
        )
        for enterprise in three_of_a[:2]
    ]
    login(page, staff_user.username)

    page.get_by_test_id("nav-tasks").click()
    page.get_by_test_id("select-section-today").check()
    page.get_by_test_id("bulk-assignee").select_option(str(worker_a.pk))
    page.get_by_test_id("bulk-reassign").click()

    expect(page.get_by_text("已改派 2 项待办。")).to_be_visible()
    assert {Task.objects.get(pk=t.pk).assignee_id for t in tasks} == {worker_a.pk}
