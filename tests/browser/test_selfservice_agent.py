"""An agent (代账) on a phone: one link, one code, and each of their enterprises confirmed
or corrected in the same visit."""

import re

from playwright.sync_api import expect

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.selfservice.services import selfservice_link_send
from registry.models import Liaison
from tests.factories import EnterpriseFactory, LiaisonFactory

AGENT = "13912345678"  # enterprise_a's liaison (tests/conftest.py)
NOTICE = "我已阅读并同意上述个人信息使用说明。"


def test_an_agent_checks_all_their_enterprises_in_one_visit_on_a_phone(
    phone_page, staff_user, enterprise_a, grid_a, live_server, shot, settings
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    others = [EnterpriseFactory(grid=grid_a, name=f"代账客户{n}有限公司") for n in "乙丙"]
    for enterprise in others:
        LiaisonFactory(enterprise=enterprise, name="张伟", mobile=AGENT)
    sms = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    link = re.search(r"https?://\S+/s/[A-Za-z0-9_-]+/", OutboxMessage.objects.get().body)
    assert sms.token in link.group(0)

    phone = phone_page
    phone.goto(link.group(0))
    phone.get_by_role("button", name="发送验证码").click()
    code = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    phone.get_by_label("验证码").fill(re.search(r"验证码为(\d{6})", code.body).group(1))
    phone.get_by_role("button", name="继续").click()

    listed = phone.get_by_test_id("agent-enterprises")
    expect(listed).to_contain_text("代账客户乙有限公司")
    expect(listed).to_contain_text("代账客户丙有限公司")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "selfservice-agent-form-phone")
    phone.get_by_test_id("confirm-form").get_by_label(NOTICE).check()
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("done")).to_contain_text("已记录您的信息无误")

    # The next two from the thank-you page, without another code.
    for enterprise in others:
        row = phone.get_by_test_id("agent-enterprise").filter(has_text=enterprise.name)
        row.get_by_test_id("agent-check").click()
        expect(phone.get_by_role("heading", name=enterprise.name)).to_be_visible()
        phone.get_by_test_id("confirm-form").get_by_label(NOTICE).check()
        phone.get_by_test_id("confirm").click()
        expect(phone.get_by_test_id("done")).to_contain_text("已记录您的信息无误")
    shot(phone, "selfservice-agent-done-phone")
    expect(phone.get_by_test_id("agent-enterprises")).to_have_count(0)

    assert OutboxMessage.objects.filter(purpose="self-service-code").count() == 1
    verified = ContactAttempt.objects.filter(channel="self_service", verified=True)
    assert verified.count() == 3
    assert Liaison.objects.filter(mobile=AGENT, last_verified_at__isnull=False).count() == 3
