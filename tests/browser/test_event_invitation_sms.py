"""An event's invitation by SMS, on a phone: staff invite grid A to a training and prepare
the invitation SMS, confirm it on the campaign's page (within the sending window); the
liaison opens the link in the SMS's text at phone width, enters the code, lands on their
invitations and answers 派同事参加 with a colleague's name; staff see it on the event."""

import datetime
import re

from django.urls import reverse
from playwright.sync_api import expect

from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create
from outreach.messaging import window
from outreach.messaging.models import Campaign, OutboxMessage
from registry import clock
from registry.workdays import WorkCalendar

LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]+/")


def test_a_liaison_answers_the_invitation_sms_on_their_phone(
    page, phone_page, login, staff_user, enterprise_a, live_server, settings
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    training = event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="社保公积金实务培训",
        # Far enough for the window's start two days on, even across a long holiday.
        starts_at=clock.now() + datetime.timedelta(days=20),
        place="服务中心3楼",
    )
    login(page, staff_user.username)
    page.goto(reverse("outreach:events:invitations", args=[training.pk]))
    page.get_by_label("网格").select_option("A")
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("count-invited")).to_have_text("1")
    page.get_by_test_id("prepare-sms").click()
    expect(page.get_by_test_id("preview-sendable")).to_have_text("将发送 1 条消息。")
    expect(page.get_by_test_id("campaign-body")).to_contain_text("社保公积金实务培训")
    # A time within the window, whenever the test runs: the window's start two days on.
    at = window.next_start(
        clock.start_of_day(clock.today() + datetime.timedelta(days=2)),
        calendar=WorkCalendar.load(),
    )
    page.get_by_label("发送时间（园区时间）").fill(clock.local(at).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("confirm").click()
    campaign = Campaign.objects.get(event=training)
    expect(page.get_by_test_id("campaign-status")).to_have_text(campaign.get_status_display())
    assert campaign.status == Campaign.Status.CONFIRMED

    sms = OutboxMessage.objects.get(campaign=campaign)
    phone_page.goto(LINK.search(sms.body).group(0))
    phone_page.get_by_role("button", name="发送验证码").click()
    code_sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    phone_page.get_by_label("验证码").fill(re.search(r"验证码为(\d{6})", code_sms.body).group(1))
    phone_page.get_by_role("button", name="继续").click()
    # Straight to the invitations, not the details form.
    expect(phone_page).to_have_url(re.compile(r"/s/events/$"))
    invitation = phone_page.get_by_test_id("invitation")
    expect(invitation).to_contain_text("社保公积金实务培训")
    invitation.get_by_label("派同事参加", exact=True).check()
    invitation.get_by_label("同事姓名（派同事参加时填写）").fill("刘洋")
    invitation.get_by_role("button", name="提交答复").click()
    expect(phone_page.get_by_test_id("your-answer")).to_contain_text("派同事参加 (刘洋)")
    # Nothing runs off the side of a phone's screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    answered = EventInvitation.objects.get(event=training)
    assert (answered.answer, answered.delegate_name) == ("delegate", "刘洋")
    page.goto(reverse("outreach:events:invitations", args=[training.pk]))
    expect(page.get_by_test_id("sms-written")).to_have_text("1")
    expect(page.get_by_test_id("sms-answered")).to_have_text("1")
    expect(page.get_by_test_id("count-delegate")).to_have_text("1")
    expect(page.get_by_test_id("reminders-due")).to_have_text("1")
