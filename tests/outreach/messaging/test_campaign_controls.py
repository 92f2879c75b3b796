"""Campaigns staff can control (issue 15): a draft and its preview, a test send to oneself, the
sending window and a time to send, the approval above a size, the opt-out of greeting and
care SMS. Every decision is taken at a stated moment (``now=``), the one clock's way."""

import datetime
import zoneinfo

import pytest
from django.test import override_settings

from core.errors import ServiceError
from monitoring.models import ContactHealth
from outreach.messaging import campaign_controls, services, window
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage, SmsOptOut
from outreach.messaging.preview import campaign_preview, sms_segments
from outreach.models import ContactAttempt
from outreach.services import plan
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters
from registry.workdays import WorkCalendar
from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db
PARK = zoneinfo.ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, a working day; the 5th is a Saturday.
TUESDAY_10 = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=PARK)
CALENDAR = WorkCalendar()
Status = OutboxMessage.Status


@pytest.fixture
def park(grid_a):
    """Grid A: two reachable, one opted out, one without a liaison, one without a mobile,
    one deregistered, one paused by the monitor."""
    made = {}
    for name in ("甲一", "甲二"):
        made[name] = LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=name)).enterprise
    made["退订"] = LiaisonFactory(
        enterprise=EnterpriseFactory(grid=grid_a, name="退订"), mobile="13900000001"
    ).enterprise
    SmsOptOut.objects.create(mobile="13900000001", keyword="R", created_at=TUESDAY_10)
    made["无人"] = EnterpriseFactory(grid=grid_a, name="无人")
    made["无手机"] = LiaisonFactory(
        enterprise=EnterpriseFactory(grid=grid_a, name="无手机"), mobile="", email="a@example.com"
    ).enterprise
    made["注销"] = LiaisonFactory(
        enterprise=EnterpriseFactory(
            grid=grid_a, name="注销", status=Enterprise.Status.DEREGISTERED
        )
    ).enterprise
    made["暂停"] = LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="暂停")).enterprise
    ContactHealth.objects.create(
        enterprise=made["暂停"],
        paused_until=datetime.date(2026, 12, 31),
        pause_reason=ContactHealth.PauseReason.SUSPENDED,
    )
    return made


def _draft(by, *, kind="holiday", key="holiday-greeting-sms", include_deregistered=False):
    return services.campaign_create(
        name="问候",
        kind=kind,
        template=MessageTemplate.objects.get(key=key),
        filters=EnterpriseFilters(grid="A"),
        by=by,
        include_deregistered=include_deregistered,
    )


def _confirm(campaign, by=None, **kwargs):
    kwargs.setdefault("now", TUESDAY_10)
    return campaign_controls.campaign_confirm(
        campaign=campaign, by=by or campaign.created_by, calendar=CALENDAR, **kwargs
    )


def _rows(campaign):
    return {
        m.enterprise.name: m
        for m in OutboxMessage.objects.filter(campaign=campaign).select_related("enterprise")
    }


# --- The draft and its preview ------------------------------------------------------------


def test_a_new_campaign_is_a_draft_and_writes_nothing(park, staff_user):
    campaign = _draft(staff_user)
    assert campaign.status == Campaign.Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_the_preview_says_who_is_left_out_and_why(park, staff_user):
    preview = campaign_preview(campaign=_draft(staff_user), now=TUESDAY_10)
    assert preview.chosen == 7
    assert preview.sendable == 2  # 甲一, 甲二
    assert {code: n for code, _label, n in preview.left_out_rows} == {
        "deregistered": 1,
        "paused": 1,
        "no_liaison": 1,
        "no_address": 1,
        "opted_out": 1,
    }
    # Among those not left out: mobiles (甲一, 甲二, 退订) and e-mails (无手机).
    assert preview.by_channel == {"sms": 3, "email": 1}


def test_deregistered_enterprises_are_included_on_request(park, staff_user):
    campaign = _draft(staff_user, include_deregistered=True)
    preview = campaign_preview(campaign=campaign, now=TUESDAY_10)
    assert preview.sendable == 3 and preview.deregistered_included == 1
    _confirm(campaign)
    assert _rows(campaign)["注销"].status == Status.QUEUED


def test_confirm_writes_what_the_preview_showed(park, staff_user):
    campaign = _draft(staff_user)
    preview = campaign_preview(campaign=campaign, now=TUESDAY_10)
    _confirm(campaign)
    rows = _rows(campaign)
    # Deregistered and paused enterprises get no row; the others say why they were not sent.
    assert set(rows) == {"甲一", "甲二", "退订", "无人", "无手机"}
    assert {n for n, m in rows.items() if m.status == Status.QUEUED} == {"甲一", "甲二"}
    assert rows["退订"].status == Status.SKIPPED and rows["退订"].problem == "opted_out"
    assert rows["无人"].problem == "no_liaison" and rows["无手机"].problem == "no_address"
    queued = [m for m in rows.values() if m.status == Status.QUEUED]
    assert len(queued) == preview.sendable
    longest = max(len("【园区企业服务】" + m.body) for m in queued)
    assert preview.longest == longest


def test_sms_segments_are_70_characters_then_parts_of_67():
    assert [sms_segments(n) for n in (0, 1, 70, 71, 134, 135, 201, 202)] == [
        0, 1, 1, 2, 2, 3, 3, 4,
    ]  # fmt: skip


def test_the_longest_rendered_text_decides_the_segments_and_the_estimate(grid_a, staff_user):
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="短"), name="王")
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="长" * 40), name="王")
    template = MessageTemplate.objects.create(
        key="t", name="t", channel="sms", body="{{ liaison }}您好，{{ enterprise }}。"
    )
    campaign = services.campaign_create(
        name="x", kind="general", template=template, filters=EnterpriseFilters(), by=staff_user
    )
    preview = campaign_preview(campaign=campaign, now=TUESDAY_10)
    signature = len("【园区企业服务】")
    assert preview.longest == signature + len("王您好，。") + 40
    assert preview.segments == 1 and preview.estimated == 2
    with override_settings(SMS_SIGNATURE="【" + "签" * 30 + "】"):
        preview = campaign_preview(campaign=campaign, now=TUESDAY_10)
    # 77 characters: two parts of 67.
    assert preview.longest == 32 + 5 + 40 and preview.segments == 2 and preview.estimated == 4


def test_a_campaign_with_no_recipient_cannot_be_confirmed(grid_a, staff_user):
    EnterpriseFactory(grid=grid_a)  # no liaison
    campaign = _draft(staff_user)
    with pytest.raises(ServiceError) as error:
        _confirm(campaign)
    assert error.value.code == "no_recipient"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and not OutboxMessage.objects.exists()


# --- The opt-out ---------------------------------------------------------------------------


def test_greetings_and_care_carry_the_opt_out_line_and_notices_do_not(park, staff_user):
    holiday = _draft(staff_user)
    care = _draft(staff_user, kind="care", key="general-reminder-sms")
    notice = _draft(staff_user, kind="general", key="general-reminder-sms")
    assert holiday.body.endswith("拒收请回复R") and care.body.endswith("拒收请回复R")
    assert "拒收请回复R" not in notice.body


def test_opted_out_numbers_still_get_notices(park, staff_user):
    campaign = _draft(staff_user, kind="general", key="general-reminder-sms")
    assert campaign_preview(campaign=campaign, now=TUESDAY_10).sendable == 3
    _confirm(campaign)
    assert _rows(campaign)["退订"].status == Status.QUEUED


# --- The test send --------------------------------------------------------------------------


def test_a_test_goes_to_the_senders_own_mobile_and_is_not_counted(park, staff_user, gateway):
    from accounts.models import AccountProfile

    AccountProfile.objects.create(user=staff_user, mobile="13800138000")
    campaign = _draft(staff_user)
    message = campaign_controls.campaign_test_send(campaign=campaign, by=staff_user)
    assert message.to == "13800138000" and message.purpose == "campaign-test"
    assert message.campaign is None and message.liaison is None
    assert message.body.endswith("拒收请回复R") and "{{" not in message.body
    campaign.refresh_from_db()
    assert campaign.last_test == message and campaign.status == Campaign.Status.DRAFT
    # A refused number is no failed contact with the enterprise it was rendered for.
    gateway.refuse.add("13800138000")
    services.outbox_drain(max_seconds=10)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert not ContactAttempt.objects.exists()
    _confirm(campaign)
    assert not OutboxMessage.objects.filter(campaign=campaign, purpose="campaign-test").exists()


def test_without_a_mobile_of_ones_own_the_test_is_refused(park, staff_user):
    with pytest.raises(ServiceError) as error:
        campaign_controls.campaign_test_send(campaign=_draft(staff_user), by=staff_user)
    assert error.value.code == "no_address"
    assert not OutboxMessage.objects.exists()


# --- The window and the time to send ------------------------------------------------------------


def test_the_window_is_working_days_0900_to_1730():
    assert window.is_open(TUESDAY_10, calendar=CALENDAR)
    evening = TUESDAY_10.replace(hour=17, minute=30)
    assert not window.is_open(evening, calendar=CALENDAR)
    assert window.next_start(evening, calendar=CALENDAR) == datetime.datetime(
        2026, 12, 2, 9, 0, tzinfo=PARK
    )
    friday_night = datetime.datetime(2026, 12, 4, 20, 0, tzinfo=PARK)
    assert window.next_start(friday_night, calendar=CALENDAR) == datetime.datetime(
        2026, 12, 7, 9, 0, tzinfo=PARK
    )
    # National Day week: the next window is the first working day after it.
    holiday = datetime.datetime(2026, 10, 2, 10, 0, tzinfo=PARK)
    assert window.next_start(holiday, calendar=CALENDAR).date() > datetime.date(2026, 10, 2)


def test_a_time_outside_the_window_is_refused_with_the_next_window_start(park, staff_user):
    campaign = _draft(staff_user)
    saturday = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=PARK)
    with pytest.raises(ServiceError) as error:
        _confirm(campaign, send_at=saturday)
    assert error.value.field == "send_at"
    assert "2026-12-07 09:00" in str(error.value.message)
    # "Now" outside the window likewise; the urgent override is not for a greeting.
    with pytest.raises(ServiceError):
        _confirm(campaign, now=TUESDAY_10.replace(hour=20), outside_window=True)
    assert not OutboxMessage.objects.exists()


def test_only_an_urgent_kind_goes_outside_the_window_and_only_when_confirmed(park, staff_user):
    night = TUESDAY_10.replace(hour=22)
    weather = _draft(staff_user, kind="weather", key="severe-weather-sms")
    with pytest.raises(ServiceError) as error:
        _confirm(weather, now=night)
    assert "恶劣天气提示如确认在发送时段外发送" in str(error.value.message)
    _confirm(weather, now=night, outside_window=True)
    weather.refresh_from_db()
    assert weather.status == Campaign.Status.CONFIRMED and weather.outside_window
    queued = OutboxMessage.objects.filter(campaign=weather, status=Status.QUEUED)
    assert {m.next_attempt_at for m in queued} == {night}


def test_a_scheduled_campaign_waits_for_its_time(park, staff_user):
    campaign = _draft(staff_user)
    at = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=PARK)
    _confirm(campaign, send_at=at)
    campaign.refresh_from_db()
    assert campaign.send_at == at and campaign.status == Campaign.Status.CONFIRMED
    queued = OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED)
    assert queued.count() == 2 and {m.next_attempt_at for m in queued} == {at}
    # The outbox claim leaves them until then (the real clock is before 3 December 2026 or
    # after: either way nothing due earlier than its time is claimed).
    import time_machine

    with time_machine.travel(at - datetime.timedelta(minutes=1)):
        assert services.outbox_claim(limit=10) == []
    with time_machine.travel(at + datetime.timedelta(minutes=1)):
        assert len(services.outbox_claim(limit=10)) == 2


def test_a_time_in_the_past_is_refused(park, staff_user):
    with pytest.raises(ServiceError) as error:
        _confirm(_draft(staff_user), send_at=TUESDAY_10 - datetime.timedelta(days=1))
    assert error.value.code == "past"


def test_the_plans_links_wait_for_the_preferred_time_of_the_window(settings):
    # Tuesday 8 December 2026: a contact day (not a month's edge).
    morning = datetime.datetime(2026, 12, 8, 8, 0, tzinfo=PARK)
    send_at = plan._link_send_at(morning.date(), CALENDAR, morning)
    assert send_at == datetime.datetime(2026, 12, 8, 15, 0, tzinfo=PARK)
    settings.CAMPAIGN_WINDOW_PREFERRED = "14:30"
    send_at = plan._link_send_at(morning.date(), CALENDAR, morning)
    assert send_at == datetime.datetime(2026, 12, 8, 14, 30, tzinfo=PARK)


# --- The approval ------------------------------------------------------------------------------


@pytest.fixture
def second_admin(db):
    from registry.roles import Role
    from tests.conftest import _user

    return _user("bob_admin", Role.ADMIN, is_staff=True)


def test_a_large_campaign_waits_for_another_admins_approval(
    park, staff_user, admin_user, second_admin, settings
):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    campaign = _draft(staff_user)
    at = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=PARK)
    _confirm(campaign, send_at=at)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL
    assert not OutboxMessage.objects.exists()

    with pytest.raises(ServiceError):  # staff cannot approve
        campaign_controls.campaign_approve(campaign=campaign, by=staff_user, now=TUESDAY_10)
    approved = campaign_controls.campaign_approve(
        campaign=campaign, by=admin_user, now=TUESDAY_10, calendar=CALENDAR
    )
    assert approved.status == Campaign.Status.CONFIRMED
    assert (approved.approved_by, approved.approved_at) == (admin_user, TUESDAY_10)
    queued = OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED)
    assert {m.next_attempt_at for m in queued} == {at} and queued.count() == 2


def test_an_admin_cannot_approve_their_own_campaign(park, admin_user, second_admin, settings):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    campaign = _draft(admin_user)
    _confirm(campaign)
    with pytest.raises(ServiceError) as error:
        campaign_controls.campaign_approve(campaign=campaign, by=admin_user, now=TUESDAY_10)
    assert error.value.code == "own_campaign"
    campaign_controls.campaign_approve(
        campaign=campaign, by=second_admin, now=TUESDAY_10, calendar=CALENDAR
    )
    assert OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED).count() == 2


def test_an_approval_outside_the_window_sends_at_the_next_window_start(
    park, staff_user, admin_user, settings
):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    campaign = _draft(staff_user)
    _confirm(campaign)  # now: Tuesday 10:00
    evening = TUESDAY_10.replace(hour=19)
    campaign_controls.campaign_approve(
        campaign=campaign, by=admin_user, now=evening, calendar=CALENDAR
    )
    campaign.refresh_from_db()
    tomorrow_9 = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=PARK)
    assert campaign.send_at == tomorrow_9
    assert set(
        OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED).values_list(
            "next_attempt_at", flat=True
        )
    ) == {tomorrow_9}


def test_an_admin_rejects_a_waiting_campaign(park, staff_user, admin_user, settings):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    campaign = _draft(staff_user)
    _confirm(campaign)
    campaign_controls.campaign_cancel(
        campaign=campaign, by=admin_user, reason="内容需修改", now=TUESDAY_10
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    assert campaign.stopped_reason == "内容需修改"
    with pytest.raises(ServiceError):
        campaign_controls.campaign_approve(campaign=campaign, by=admin_user, now=TUESDAY_10)
    assert not OutboxMessage.objects.exists()


def test_only_the_sender_confirms(park, staff_user, admin_user):
    with pytest.raises(ServiceError) as error:
        _confirm(_draft(staff_user), by=admin_user)
    assert error.value.code == "not_sender"
