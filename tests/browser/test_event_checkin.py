"""Check-in at the door on a phone (issue 20): staff put the event's QR on a screen; a
liaison opens its address on their phone (390×844), identifies themselves by mobile and the
SMS code, is checked in, confirms their details on the same page; staff see them on the
attendance list, their light green and their details verified."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from monitoring.models import ContactHealth
from outreach.events.door_models import EventAttendance
from outreach.events.models import Event
from outreach.events.services import event_create
from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from registry import clock


def test_a_liaison_checks_in_at_the_door_on_their_phone(
    page, phone_page, login, staff_user, enterprise_a, live_server, settings, shot
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    training = event_create(
        by=staff_user,
        kind=Event.Kind.MEETING,
        topic="服务月座谈会",
        starts_at=clock.now(),
        place="服务中心3楼",
    )
    login(page, staff_user.username)
    page.goto(reverse("outreach:events:list"))
    page.get_by_test_id("event-checkin").click()
    expect(page.get_by_test_id("checkin-qr").locator("svg")).to_be_visible()
    checkin_url = page.get_by_test_id("checkin-url").inner_text().strip()
    shot(page, "event-checkin-screen")

    # The phone "scans" the QR: it opens the address the QR holds.
    phone_page.goto(checkin_url)
    expect(phone_page.get_by_test_id("checkin-event")).to_contain_text("服务月座谈会")
    phone_page.get_by_label("您的手机号").fill("139 1234 5678")
    phone_page.get_by_role("button", name="发送验证码").click()
    expect(phone_page.get_by_test_id("code-sent")).to_contain_text("139****5678")
    sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    phone_page.get_by_label("验证码").fill(re.search(r"验证码为(\d{6})", sms.body).group(1))
    phone_page.get_by_role("button", name="活动签到").click()

    expect(phone_page.get_by_test_id("checked-in")).to_contain_text("签到成功")
    expect(phone_page.get_by_test_id("checkin-details")).to_contain_text("张伟")
    shot(phone_page, "event-checkin-phone")
    # Nothing runs off the side of a phone's screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.get_by_label("我已阅读并同意上述个人信息使用说明。").check()
    phone_page.get_by_role("button", name="我的信息无误").click()
    expect(phone_page.get_by_test_id("checkin-confirmed")).to_contain_text("信息已核对")

    attendance = EventAttendance.objects.get(event=training)
    assert (attendance.liaison.name, attendance.how) == ("张伟", "code")
    assert ContactHealth.objects.get(enterprise=enterprise_a).light == "green"
    assert ContactAttempt.objects.filter(enterprise=enterprise_a, verified=True).exists()
    page.goto(reverse("outreach:events:attendance", args=[training.pk]))
    expect(page.get_by_test_id("attended-row")).to_contain_text("张伟")
