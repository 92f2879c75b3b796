"""A grid worker at an emptied office reports it from a phone, photo included; the
enterprise page shows the report (the reporter's phone masked) and the verification task."""

import importlib

from playwright.sync_api import expect

from monitoring.kinds import SIGNAL_VERIFICATION
from monitoring.models import EnterpriseSignal
from outreach.models import ContactAttempt, Task
from tests.outreach.matters.files import image_bytes


def test_a_grid_worker_reports_an_emptied_office_from_a_phone(
    phone_page, login, worker_a, enterprise_a, shot
):
    # The live server's tests flush the tables between them: the migration's kinds again.
    from django.apps import apps

    importlib.import_module("monitoring.migrations.0003_outside_signals").seed_kinds(apps, None)
    page = login(phone_page, worker_a.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    page.get_by_test_id("signal-new").click()
    expect(page.get_by_role("heading", name="外部信号")).to_be_visible()

    page.get_by_label("已搬离").check()
    page.get_by_label("单位(物业公司、房东、快递……)").fill("浦江物业")
    page.get_by_label("反映人", exact=True).fill("王经理")
    page.get_by_label("反映人电话").fill("13611112222")
    page.get_by_label("备注").fill("办公室已清空,门口有垃圾")
    page.locator("#id_photo").set_input_files(
        {"name": "门口.png", "mimeType": "image/png", "buffer": image_bytes()}
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "signal-phone")
    page.get_by_role("button", name="记录信号").click()

    expect(page.get_by_text("外部信号已记录。")).to_be_visible()
    panel = page.get_by_test_id("signals-panel")
    expect(panel).to_contain_text("已搬离")
    expect(panel).to_contain_text("136****2222")
    expect(panel).not_to_contain_text("13611112222")
    expect(panel.get_by_test_id("signal-photo")).to_contain_text("门口.png")
    signal = EnterpriseSignal.objects.get()
    assert signal.photo_name == "门口.png"
    assert signal.attempt.channel == ContactAttempt.Channel.REPORT
    assert Task.objects.get(kind=SIGNAL_VERIFICATION).assignee == worker_a
