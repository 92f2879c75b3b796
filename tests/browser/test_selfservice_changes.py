"""The other things a liaison does with their personal link on a phone: correct their details
(a new mobile confirmed by a code sent to it) and the emergency contact (from a link sent by
e-mail), and hand over to a successor, whom
staff confirm and who then confirms through their own link."""

import re

from playwright.sync_api import expect

from outreach.messaging.models import OutboxMessage
from outreach.models import Task
from registry.models import EmergencyContact, Liaison
from registry.services import liaison_update

LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]+/")


def _unlock(phone, link: str, mobile: str) -> None:
    """Open the link and enter the code that went to ``mobile`` by SMS."""
    phone.goto(link)
    phone.get_by_role("button", name="发送验证码").click()
    code_sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    assert code_sms.to == mobile
    phone.get_by_label("验证码").fill(re.search(r"验证码为(\d{6})", code_sms.body).group(1))
    phone.get_by_role("button", name="继续").click()
    expect(phone.get_by_test_id("notice")).to_be_visible()


def test_a_liaison_corrects_their_details_from_an_e_mailed_link(
    page, phone_page, login, staff_user, worker_a, enterprise_a, live_server, settings
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    liaison_update(liaison=enterprise_a.current_liaison, by=staff_user, email="zw@example.com")

    login(page, staff_user.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    page.get_by_test_id("selfservice-channel").select_option(label="电子邮件")
    page.get_by_test_id("send-selfservice-link").click()
    expect(page.get_by_test_id("selfservice-link").first).to_contain_text("电子邮件")

    mail = OutboxMessage.objects.get(purpose="self-service-link")
    assert mail.channel == "email" and mail.to == "zw@example.com"
    _unlock(phone_page, LINK.search(mail.body).group(0), "13912345678")

    phone_page.get_by_text("更正我的信息或紧急联系人").click()
    form = phone_page.get_by_test_id("correct-form")
    form.get_by_label("职务", exact=True).fill("行政总监")
    form.get_by_label("手机", exact=True).fill("1391234")  # a typo first
    form.get_by_label("紧急联系人", exact=True).fill("王强")
    form.get_by_label("关系", exact=True).fill("配偶")
    form.get_by_label("紧急联系电话", exact=True).fill("13600002222")
    form.get_by_label("我已阅读并同意上述个人信息使用说明。").check()
    form.get_by_role("button", name="保存更正").click()
    # Refused in Chinese, with what was typed kept and nothing saved.
    expect(phone_page.get_by_role("alert").first).to_be_visible()
    assert (
        phone_page.get_by_test_id("correct-form").get_by_label("职务", exact=True).input_value()
        == "行政总监"
    )
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).position != "行政总监"

    # A new mobile: a code goes to the new number first; the old one stays until it is in.
    form = phone_page.get_by_test_id("correct-form")
    form.get_by_label("手机", exact=True).fill("13700009999")
    form.get_by_label("我已阅读并同意上述个人信息使用说明。").check()
    form.get_by_role("button", name="保存更正").click()
    expect(phone_page.get_by_test_id("mobile-code-sent")).to_contain_text("137****9999")
    expect(phone_page.get_by_test_id("mobile-code-sent")).to_contain_text("尚未保存")
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).mobile == "13912345678"
    code_sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    assert code_sms.to == "13700009999"
    code = re.search(r"验证码为(\d{6})", code_sms.body).group(1)
    form = phone_page.get_by_test_id("correct-form")
    form.get_by_label("新手机收到的验证码").fill("000000" if code != "000000" else "111111")
    form.get_by_label("我已阅读并同意上述个人信息使用说明。").check()
    form.get_by_role("button", name="确认验证码并保存").click()
    expect(phone_page.get_by_text("验证码不正确")).to_be_visible()
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).mobile == "13912345678"
    form = phone_page.get_by_test_id("correct-form")
    form.get_by_label("新手机收到的验证码").fill(code)
    form.get_by_label("我已阅读并同意上述个人信息使用说明。").check()
    form.get_by_role("button", name="确认验证码并保存").click()
    done = phone_page.get_by_test_id("done")
    expect(done).to_contain_text("职务")
    expect(done).to_contain_text("紧急联系人")

    liaison = Liaison.objects.get(pk=enterprise_a.current_liaison.pk)
    assert liaison.position == "行政总监" and liaison.mobile == "13700009999"
    contact = EmergencyContact.objects.get(enterprise=enterprise_a)
    assert (contact.name, contact.phone) == ("王强", "13600002222")
    # The grid worker is told, and the enterprise page's history says who changed it.
    task = Task.objects.get(kind="selfservice_update", status="open")
    assert task.assignee == worker_a and "职务" in task.note
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    expect(page.get_by_text("行政总监").first).to_be_visible()
    expect(page.get_by_text("联络员自助").first).to_be_visible()


def test_a_liaison_hands_over_and_the_successor_confirms_through_their_own_link(
    page, phone_page, new_context, login, staff_user, enterprise_a, live_server, settings
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    login(page, staff_user.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    page.get_by_test_id("send-selfservice-link").click()
    sms = OutboxMessage.objects.get(purpose="self-service-link")
    _unlock(phone_page, LINK.search(sms.body).group(0), "13912345678")

    phone_page.get_by_text("我将卸任联络员").click()
    form = phone_page.get_by_test_id("leaving-form")
    form.get_by_label("我担任联络员的最后一天").fill("2026-12-15")
    form.get_by_label("继任者姓名").fill("李娜")
    form.get_by_label("继任者手机").fill("13700001111")
    form.get_by_label("我已阅读并同意上述个人信息使用说明。").check()
    form.get_by_role("button", name="提交交接信息").click()
    expect(phone_page.get_by_test_id("done")).to_contain_text("李娜")
    expect(phone_page.get_by_test_id("done")).to_contain_text("30")
    # Nothing in the registry changes on the leaver's word alone.
    assert enterprise_a.current_liaison.name == "张伟"

    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    expect(page.get_by_test_id("reported-handover")).to_contain_text("李娜")
    page.get_by_test_id("confirm-handover").click()
    expect(page.get_by_text("李娜 已成为联络员")).to_be_visible()

    # The successor's own link comes in their welcome (outreach.selfservice.welcome).
    successor_sms = OutboxMessage.objects.filter(purpose="liaison-welcome").latest("pk")
    assert successor_sms.to == "13700001111"
    successor = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    _unlock(successor, LINK.search(successor_sms.body).group(0), "13700001111")
    successor.get_by_test_id("confirm-form").get_by_label(
        "我已阅读并同意上述个人信息使用说明。"
    ).check()
    successor.get_by_test_id("confirm").click()
    expect(successor.get_by_test_id("done")).to_contain_text("已记录您的信息无误")
    current = Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True)
    assert current.name == "李娜" and current.last_verified_at is not None
