"""At the door (issue 20): the event's check-in QR and its code, a liaison checking in on
their phone (their open personal link, or their mobile and an SMS code), the contact and the
verification it records, walk-ins matched by staff, the attendance list and its export, each
liaison's events on the enterprise page, and attendance in the yearly recognition."""

import datetime
import io
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from monitoring.models import ContactHealth
from outreach.events.door import (
    checkin_code_for,
    checkin_code_rotate,
    liaisons_attended,
    walk_in_register,
)
from outreach.events.door_models import EventAttendance
from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create
from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.recognition.services import attended_in
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import selfservice_link_send
from outreach.services import contact_attempt_record
from registry.models import SensitiveView
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db

MOBILE_A = "13912345678"  # enterprise_a's liaison (tests/conftest.py)


def _event(by, *, day=TODAY, topic="年报培训", hours=(14, 16)):
    return event_create(
        by=by,
        kind=Event.Kind.TRAINING,
        topic=topic,
        starts_at=at(day, hours[0]),
        ends_at=at(day, hours[1]),
        place="服务中心报告厅",
    )


def _invite(event, enterprise):
    liaison = enterprise.current_liaison
    return EventInvitation.objects.create(
        event=event, enterprise=enterprise, liaison=liaison, invited_at=at(TODAY, 9)
    )


def _url(event):
    return reverse("selfservice:checkin", args=[checkin_code_for(event=event)])


def _last_code() -> str:
    message = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    return re.search(r"验证码为(\d{6})", message.body).group(1)


def _by_mobile(client, event, mobile=MOBILE_A):
    url = _url(event)
    client.post(url, {"action": "send", "mobile": mobile})
    return url, client.post(url, {"action": "check", "code": _last_code()})


@pytest.fixture
def training(clock, staff_user):
    return _event(staff_user)


# --- The code and the day -------------------------------------------------------------------


def test_the_screen_shows_a_qr_of_the_checkin_address(client, training, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("outreach:events:checkin", args=[training.pk])).content.decode()
    code = training.checkin_code.code
    assert len(code) >= 22
    assert "<svg" in page
    assert f"/s/checkin/{code}/" in page


def test_a_rotated_code_no_longer_opens_the_page(client, training, staff_user):
    old = _url(training)
    assert client.get(old).status_code == 200
    client.force_login(staff_user)
    response = client.post(reverse("outreach:events:checkin_rotate", args=[training.pk]))
    assert response.status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(_url(training)).status_code == 200


def test_a_wrong_code_is_not_found(client, training):
    response = client.get(reverse("selfservice:checkin", args=["x" * 22]))
    assert response.status_code == 404
    assert "签到码无效" in response.content.decode()


def test_checkin_opens_on_the_events_day_only(client, clock, staff_user, enterprise_a):
    tomorrow = _event(staff_user, day=TODAY + datetime.timedelta(days=1))
    response = client.get(_url(tomorrow))
    assert response.status_code == 410
    assert "2026-11-25" in response.content.decode()
    # Nor does a code sent from the page before midnight check anyone in after.
    clock.move_to(at(TODAY + datetime.timedelta(days=2)))
    assert client.get(_url(tomorrow)).status_code == 410
    assert not EventAttendance.objects.exists()


def test_another_events_code_checks_in_to_that_event(client, clock, staff_user, enterprise_a):
    morning = _event(staff_user, topic="社保培训", hours=(9, 11))
    afternoon = _event(staff_user, topic="公积金培训", hours=(14, 16))
    _invite(morning, enterprise_a)
    _by_mobile(client, afternoon)
    attendance = EventAttendance.objects.get()
    assert attendance.event == afternoon
    assert not attendance.invited


# --- A liaison by mobile and code -----------------------------------------------------------


def test_a_liaison_checks_in_with_mobile_and_code_and_confirms(client, training, enterprise_a):
    _invite(training, enterprise_a)
    # Two failed occasions: the light is yellow.
    contact_attempt_record(enterprise=enterprise_a, channel="phone", outcome="no_answer")
    contact_attempt_record(enterprise=enterprise_a, channel="wechat", outcome="no_answer")
    assert ContactHealth.objects.get(enterprise=enterprise_a).light == "yellow"

    url, response = _by_mobile(client, training)
    assert response.status_code == 303
    attendance = EventAttendance.objects.get()
    assert (attendance.liaison, attendance.how, attendance.invited) == (
        enterprise_a.current_liaison,
        "code",
        True,
    )
    attempt = attendance.contact_attempt
    assert (attempt.channel, attempt.outcome, attempt.verified) == ("visit", "reached", False)
    assert ContactHealth.objects.get(enterprise=enterprise_a).light == "green"

    page = client.get(url).content.decode()
    assert "张伟" in page and MOBILE_A in page  # the details to confirm
    version = re.search(r'name="confirm-accept_notice" value="([^"]+)"', page).group(1)
    response = client.post(url, {"action": "confirm", "confirm-accept_notice": version})
    assert response.status_code == 200
    assert "信息已核对" in response.content.decode()
    verified = ContactAttempt.objects.filter(enterprise=enterprise_a, verified=True).get()
    assert verified.channel == "self_service"  # self-service's own confirmation
    assert SelfServiceLink.objects.get().used_at is not None


def test_a_wrong_code_is_refused_and_nobody_is_checked_in(client, training, enterprise_a):
    url = _url(training)
    client.post(url, {"action": "send", "mobile": MOBILE_A})
    right = _last_code()
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(url, {"action": "check", "code": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not EventAttendance.objects.exists()


def test_an_expired_code_is_refused(client, clock, training, enterprise_a):
    url = _url(training)
    client.post(url, {"action": "send", "mobile": MOBILE_A})
    code = _last_code()
    clock.move_to(at(TODAY, 10, 11))
    response = client.post(url, {"action": "check", "code": code})
    assert response.status_code == 400
    assert "验证码已过期" in response.content.decode()
    assert not EventAttendance.objects.exists()


def test_an_unknown_number_gets_the_same_answer(client, training, enterprise_a):
    url = _url(training)
    known = client.post(url, {"action": "send", "mobile": MOBILE_A}, follow=True)
    client.get(url)  # a fresh page for the other number
    unknown = client.post(url, {"action": "send", "mobile": "13800001111"}, follow=True)

    def said(response):
        text = response.content.decode()
        return re.search(r'data-testid="code-sent">(.*?)</p>', text, re.S).group(1)

    assert said(known).replace("139****5678", "N") == said(unknown).replace("138****1111", "N")
    assert OutboxMessage.objects.filter(purpose="self-service-code").count() == 1
    response = client.post(url, {"action": "check", "code": "123456"})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not EventAttendance.objects.exists()


def test_a_liaison_not_invited_is_checked_in_as_not_invited(client, training, enterprise_a):
    _by_mobile(client, training)
    attendance = EventAttendance.objects.get()
    assert attendance.invited is False
    assert attendance.liaison == enterprise_a.current_liaison


def test_checking_in_twice_is_one_attendance_and_one_contact(client, training, enterprise_a):
    _by_mobile(client, training)
    _by_mobile(client, training)
    assert EventAttendance.objects.count() == 1
    assert ContactAttempt.objects.filter(channel="visit").count() == 1


# --- A liaison by their open personal link --------------------------------------------------


def test_an_open_personal_link_is_recognised(client, training, enterprise_a, staff_user):
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    client.get(reverse("selfservice:landing", args=[link.token]))
    client.post(reverse("selfservice:start"), {"action": "send"})
    client.post(reverse("selfservice:start"), {"action": "check", "code": _last_code()})

    url = _url(training)
    page = client.get(url).content.decode()
    assert 'data-testid="known-link"' in page and "上海甲乙科技有限公司" in page
    assert client.post(url, {"action": "link"}).status_code == 303
    attendance = EventAttendance.objects.get()
    assert (attendance.how, attendance.liaison_id) == ("link", link.liaison_id)
    assert 'data-testid="confirm-form"' in client.get(url).content.decode()


def test_without_an_open_link_the_page_asks_for_the_mobile(client, training):
    page = client.get(_url(training)).content.decode()
    assert 'data-testid="known-link"' not in page
    assert 'data-testid="mobile-form"' in page


# --- Walk-ins -------------------------------------------------------------------------------


def test_a_walk_in_missing_a_field_gets_a_chinese_error_and_nothing_is_written(client, training):
    url = _url(training)
    response = client.post(
        url, {"action": "walk_in", "name": "", "mobile": "13700001111", "enterprise_name": "某公司"}
    )
    assert response.status_code == 400
    assert "请填写姓名" in response.content.decode()
    response = client.post(
        url, {"action": "walk_in", "name": "李雷", "mobile": "12345", "enterprise_name": "某公司"}
    )
    assert response.status_code == 400
    assert not EventAttendance.objects.exists()


def test_a_walk_in_is_registered_once_and_staff_match_it(
    client, training, enterprise_a, staff_user
):
    url = _url(training)
    for _ in range(2):
        response = client.post(
            url,
            {
                "action": "walk_in",
                "name": "张伟",
                "mobile": MOBILE_A,
                "enterprise_name": "甲乙科技",
            },
        )
        assert response.status_code == 200
    walk_in = EventAttendance.objects.get()
    assert walk_in.to_match and walk_in.liaison is None
    assert not ContactAttempt.objects.exists()  # nothing said about the number

    client.force_login(staff_user)
    page = client.get(reverse("outreach:events:attendance", args=[training.pk])).content.decode()
    assert "甲乙科技" in page and 'data-testid="suggested"' in page
    client.post(
        reverse("outreach:events:attendance_resolve", args=[walk_in.pk]),
        {"action": "match", "uscc": enterprise_a.uscc},
    )
    walk_in.refresh_from_db()
    assert (walk_in.resolution, walk_in.liaison, walk_in.resolved_by) == (
        "matched",
        enterprise_a.current_liaison,
        staff_user,
    )
    assert walk_in.contact_attempt.occurred_at == walk_in.checked_in_at


def test_a_walk_in_of_someone_already_checked_in_is_a_duplicate(
    client, training, enterprise_a, staff_user
):
    _by_mobile(client, training)
    walk_in = walk_in_register(
        event=training, name="张伟", mobile="13700001111", enterprise_name="甲乙"
    )
    client.force_login(staff_user)
    client.post(
        reverse("outreach:events:attendance_resolve", args=[walk_in.pk]),
        {"action": "match", "uscc": enterprise_a.uscc},
    )
    walk_in.refresh_from_db()
    assert (walk_in.resolution, walk_in.liaison) == ("duplicate", None)
    assert ContactAttempt.objects.filter(channel="visit").count() == 1


def test_a_walk_in_may_be_a_new_liaison_candidate(client, training, staff_user):
    walk_in = walk_in_register(
        event=training, name="韩梅梅", mobile="13700002222", enterprise_name="新公司"
    )
    client.force_login(staff_user)
    resolve = reverse("outreach:events:attendance_resolve", args=[walk_in.pk])
    client.post(resolve, {"action": "match", "uscc": "91310000000000000X"})
    walk_in.refresh_from_db()
    assert walk_in.to_match  # an unknown credit code changes nothing
    client.post(resolve, {"action": "candidate"})
    walk_in.refresh_from_db()
    assert walk_in.resolution == "candidate"


# --- Staff: the list, no-shows, the export --------------------------------------------------


def test_no_shows_are_listed_once_the_event_is_over(client, clock, training, staff_user):
    came, stayed_away = EnterpriseFactory(), EnterpriseFactory()
    LiaisonFactory(enterprise=came, mobile="13600001111")
    LiaisonFactory(enterprise=stayed_away, mobile="13600002222")
    _invite(training, came)
    _invite(training, stayed_away)
    _by_mobile(client, training, mobile="13600001111")
    client.force_login(staff_user)
    url = reverse("outreach:events:attendance", args=[training.pk])
    assert 'data-testid="no-show-row"' not in client.get(url).content.decode()
    clock.move_to(at(TODAY, 17))
    client.force_login(staff_user)
    page = client.get(url).content.decode()
    assert page.count('data-testid="no-show-row"') == 1
    assert stayed_away.name in page


def _export(client, event):
    response = client.get(reverse("outreach:events:attendance_export", args=[event.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_the_export_masks_mobiles_for_roles_without_the_permission(
    client, training, enterprise_a, staff_user, auditor
):
    _by_mobile(client, training)
    walk_in_register(event=training, name="李雷", mobile="13700001111", enterprise_name="某公司")
    client.force_login(auditor)
    text = str(_export(client, training))
    assert "139****5678" in text and "137****1111" in text
    assert MOBILE_A not in text and "13700001111" not in text
    assert not SensitiveView.objects.exists()
    client.force_login(staff_user)
    text = str(_export(client, training))
    assert MOBILE_A in text and "13700001111" in text
    assert SensitiveView.objects.filter(user=staff_user, channel="export").count() == 1


def test_grid_workers_do_not_see_the_attendance(client, training, worker_a):
    client.force_login(worker_a)
    assert client.get(reverse("outreach:events:attendance", args=[training.pk])).status_code in (
        403,
        404,
    )


# --- The enterprise page and the recognition ------------------------------------------------


def test_the_enterprise_page_lists_the_liaisons_events(client, training, enterprise_a, staff_user):
    declined = _event(staff_user, topic="法律沙龙", day=TODAY + datetime.timedelta(days=3))
    invitation = _invite(declined, enterprise_a)
    invitation.answer, invitation.answered_at = "decline", at(TODAY, 9)
    invitation.save()
    _by_mobile(client, training)
    client.force_login(staff_user)
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()
    panel = page[page.index('data-testid="events-panel"') :]
    assert "年报培训" in panel and "法律沙龙" in panel and "不参加" in panel
    assert "签到" in panel


def test_attendance_is_the_recognitions_event_rule(client, training, enterprise_a):
    _by_mobile(client, training)
    liaison = enterprise_a.current_liaison.pk
    assert liaisons_attended(TODAY.year) == [liaison]
    assert liaisons_attended(TODAY.year - 1) == []
    with override_settings(RECOGNITION_REQUIRE_EVENT=True):
        assert attended_in(TODAY.year) == {liaison}


def test_rotating_twice_keeps_one_code_per_event(training, staff_user):
    first = checkin_code_rotate(event=training, by=staff_user)
    second = checkin_code_rotate(event=training, by=staff_user)
    assert first != second
    assert training.__class__.objects.get(pk=training.pk).checkin_code.code == second


def test_a_number_typed_at_the_door_uses_the_liaisons_open_link(
    client, training, enterprise_a, staff_user
):
    """A stranger typing the liaison's number supersedes nothing: the code goes on the link
    the liaison already holds."""
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    client.post(_url(training), {"action": "send", "mobile": MOBILE_A})
    assert SelfServiceLink.objects.get().pk == link.pk
    link.refresh_from_db()
    assert link.superseded_at is None and link.code_hash


def test_a_locked_link_sends_no_code_at_the_door(client, training, enterprise_a, staff_user):
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    SelfServiceLink.objects.filter(pk=link.pk).update(locked_at=at(TODAY, 9))
    response = client.post(_url(training), {"action": "send", "mobile": MOBILE_A}, follow=True)
    assert 'data-testid="code-sent"' in response.content.decode()
    assert not OutboxMessage.objects.filter(purpose="self-service-code").exists()
    assert SelfServiceLink.objects.count() == 1
