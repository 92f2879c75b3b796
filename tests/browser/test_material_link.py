"""Material after an event, on a phone (390×844): staff send a 一图看懂 image to those who came
to a training; the liaison taps the link in their SMS, without logging in, and sees the
picture whole on the screen; a link with one character changed is the friendly page."""

import datetime
import re

from django.urls import reverse
from playwright.sync_api import expect

from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create
from outreach.materials.models import MaterialTopic
from outreach.materials.services import material_create
from outreach.messaging.models import OutboxMessage
from registry import clock
from tests.outreach.matters.files import image_bytes, upload

LINK = re.compile(r"https?://\S+/m/[A-Za-z0-9_-]{32}/")


def test_a_liaison_opens_the_material_of_a_training_on_their_phone(
    page, phone_page, login, staff_user, enterprise_a, live_server, settings, shot
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    now = clock.now()
    training = event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="年报实操培训",
        starts_at=now - datetime.timedelta(days=2),
        place="服务中心3楼",
    )
    EventInvitation.objects.create(
        event=training,
        enterprise=enterprise_a,
        liaison=enterprise_a.current_liaison,
        invited_at=now - datetime.timedelta(days=9),
        answer=EventInvitation.Answer.ATTEND,
        answered_at=now - datetime.timedelta(days=5),
    )
    material_create(
        title="一图看懂年报",
        # (A transactional test before this one flushed the migration's topics.)
        topic=MaterialTopic.objects.get_or_create(name="年报")[0],
        kind="image",
        upload=upload("年报.png", image_bytes()),
        description="三步完成年报填报。",
        by=staff_user,
    )

    login(page, staff_user.username)
    page.goto(reverse("outreach:events:list"))
    page.get_by_test_id("event-materials").click()
    page.get_by_label("一图看懂年报").check()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("sent-materials")).to_contain_text("一图看懂年报")

    sms = OutboxMessage.objects.get(purpose="event-materials")
    assert sms.liaison_id == enterprise_a.current_liaison.pk
    link = LINK.search(sms.body).group(0)
    phone_page.goto(link)
    expect(phone_page.get_by_test_id("material-title")).to_have_text("一图看懂年报")
    expect(phone_page.get_by_test_id("material-description")).to_contain_text("三步完成年报填报")
    image = phone_page.get_by_test_id("material-image")
    expect(image).to_be_visible()
    # The picture arrived (served through the link's view) and fits the phone's width.
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    assert image.bounding_box()["width"] > 300
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone_page.get_by_text("保存图片")).to_be_visible()
    shot(phone_page, "material-link-phone")

    tampered = link[:-2] + ("A" if link[-2] != "A" else "B") + "/"
    response = phone_page.goto(tampered)
    assert response.status == 404
    expect(phone_page.get_by_test_id("material-missing")).to_be_visible()
