"""A grid worker's day on a phone: open "My tasks", log a contact from a task, see it done."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Task
from outreach.services import task_open
from tests.factories import EnterpriseFactory


def test_a_grid_worker_logs_a_contact_from_a_task_on_a_phone_and_the_task_closes(
    phone_page, login, worker_a, enterprise_a, grid_a, shot
):
    today = timezone.localdate()
    task = task_open(
        enterprise=enterprise_a,
        kind=Task.Kind.ROUTINE,
        source=Task.Source.PLAN,
        due_on=today,
        suggested_channel="phone",
    )
    late = EnterpriseFactory(grid=grid_a, name="苏州逾期实业有限公司")
    task_open(
        enterprise=late,
        kind=Task.Kind.RECHECK_CALL,
        source=Task.Source.RULE,
        due_on=today - datetime.timedelta(days=2),
    )
    page = login(phone_page, worker_a.username)

    page.get_by_test_id("nav-tasks").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    overdue = page.get_by_test_id("section-overdue")
    expect(overdue.get_by_text("苏州逾期实业有限公司")).to_be_visible()
    expect(overdue.locator("tr.task.overdue")).to_have_count(1)
    todays = page.get_by_test_id("section-today").locator(f"[data-task='{task.pk}']")
    expect(todays).to_contain_text("上海甲乙科技有限公司")
    shot(page, "my-tasks-phone")

    todays.get_by_test_id("log-attempt").click()
    expect(page.get_by_role("heading", name="记录联系")).to_be_visible()
    expect(page.get_by_label("电话")).to_be_checked()  # the task's suggested channel
    page.get_by_label("已联系上").check()
    page.get_by_label("备注").fill("信息无变化，已提醒离职请告知")
    page.get_by_label("我已核实联络员信息，信息无误").check()
    shot(page, "log-contact-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="保存联系记录").click()

    expect(page.get_by_text("待办已办结。")).to_be_visible()
    expect(page.get_by_test_id("section-today").get_by_text("上海甲乙科技有限公司")).to_have_count(
        0
    )
    expect(page.get_by_test_id("count-today")).to_have_text("0")
    shot(page, "my-tasks-after-contact-phone")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.closed_by_attempt.outcome == "reached"
