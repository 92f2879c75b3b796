"""An event's invitation on a phone: staff invite grid A's liaisons to a training; the
liaison opens their personal link, enters the code, finds the invitation and answers
派同事参加 with the colleague's name; staff see the answer on the event's page."""

import datetime
import re

from django.urls import reverse
from playwright.sync_api import expect

from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create
from outreach.messaging.models import OutboxMessage
from outreach.selfservice.services import selfservice_link_send
from registry import clock

LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]+/")


def test_a_liaison_answers_an_invitation_on_their_phone(
    page, phone_page, login, staff_user, enterprise_a, live_server, settings
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    training = event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="税务合规培训",
        starts_at=clock.now() + datetime.timedelta(days=5),
        place="服务中心3楼",
    )
    login(page, staff_user.username)
    page.goto(reverse("outreach:events:list"))
    page.get_by_test_id("event-invitations").click()
    page.get_by_label("网格").select_option("A")
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("count-invited")).to_have_text("1")

    selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    sms = OutboxMessage.objects.get(purpose="self-service-link")
    phone_page.goto(LINK.search(sms.body).group(0))
    phone_page.get_by_role("button", name="发送验证码").click()
    code_sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    phone_page.get_by_label("验证码").fill(re.search(r"验证码为(\d{6})", code_sms.body).group(1))
    phone_page.get_by_role("button", name="继续").click()
    phone_page.get_by_test_id("my-invitations").click()

    invitation = phone_page.get_by_test_id("invitation")
    expect(invitation).to_contain_text("税务合规培训")
    invitation.get_by_label("派同事参加", exact=True).check()
    invitation.get_by_role("button", name="提交答复").click()
    expect(phone_page.get_by_test_id("invitation-error")).to_contain_text("请填写参加同事的姓名")
    invitation = phone_page.get_by_test_id("invitation")
    invitation.get_by_label("派同事参加", exact=True).check()
    invitation.get_by_label("同事姓名（派同事参加时填写）").fill("刘洋")
    invitation.get_by_role("button", name="提交答复").click()
    expect(phone_page.get_by_test_id("your-answer")).to_contain_text("派同事参加 (刘洋)")
    # Nothing runs off the side of a phone's screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    answered = EventInvitation.objects.get(event=training)
    assert (answered.answer, answered.delegate_name) == ("delegate", "刘洋")
    page.reload()
    expect(page.get_by_test_id("count-delegate")).to_have_text("1")
    expect(page.get_by_test_id("invitation-rows")).to_contain_text("刘洋")
