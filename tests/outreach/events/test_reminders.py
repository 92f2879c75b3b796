"""The reminder the day before (issue 20): one SMS per invitee who answered 参加 or
派同事参加, on the last working day before the event, within the sending window, never
twice; declined and unanswered invitations, replaced liaisons and deregistered enterprises
get none. The task is called as a function (the messaging tasks' tests do the same)."""

import datetime

import pytest
from django.conf import settings

from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create, event_invite, event_reminders_queue
from outreach.events.tasks import remind_invitees
from outreach.messaging.models import OutboxMessage
from outreach.sql.events import REMINDER_PURPOSE, reminders_due_reference
from registry import clock as registry_clock
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters
from registry.workdays import WorkCalendar
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db

Answer = EventInvitation.Answer
TOMORROW = TODAY + datetime.timedelta(days=1)  # Wednesday 25 November 2026
# Tuesday 24 November 2026 is a working day, as is Wednesday: an ordinary week.
ORDINARY = WorkCalendar(entered={2026: {}})


def _event(by, day, hour=14, topic="年报填报培训"):
    return event_create(
        by=by, kind=Event.Kind.TRAINING, topic=topic, starts_at=at(day, hour), place="报告厅"
    )


def _liaisons(grid_a):
    """Five enterprises of grid A, named by what their liaison will answer."""
    made = {}
    for index, name in enumerate(("参加", "派同事", "不参加", "未答复", "已注销")):
        enterprise = EnterpriseFactory(grid=grid_a, name=f"{name}公司")
        LiaisonFactory(enterprise=enterprise, name=f"联络员{name}", mobile=f"1390000100{index}")
        made[name] = enterprise
    return made


def _answer(event, enterprise, answer, **extra):
    event.invitations.filter(enterprise=enterprise).update(
        answer=answer, answered_at=at(TODAY, 9), **extra
    )


@pytest.fixture
def invited(clock, staff_user, grid_a):
    event = _event(staff_user, TOMORROW)
    made = _liaisons(grid_a)
    event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
    _answer(event, made["参加"], Answer.ATTEND)
    _answer(event, made["派同事"], Answer.DELEGATE, delegate_name="刘洋")
    _answer(event, made["不参加"], Answer.DECLINE)
    _answer(event, made["已注销"], Answer.ATTEND)
    made["已注销"].status = Enterprise.Status.DEREGISTERED
    made["已注销"].save(update_fields=["status"])
    return event, made


def _reminded(event):
    return set(
        event.invitations.filter(reminded_at__isnull=False).values_list(
            "enterprise__name", flat=True
        )
    )


def test_those_who_come_or_send_a_colleague_are_reminded_the_day_before(clock, invited):
    event, _made = invited
    # The ORM's reading of the rule (outreach.sql.events), over the span of a Tuesday.
    expected = reminders_due_reference(
        after=at(TODAY), before=registry_clock.start_of_day(TOMORROW + datetime.timedelta(days=1))
    )
    result = event_reminders_queue(now=at(TODAY), calendar=ORDINARY)
    assert (result.written, result.queued) == (2, 2)
    # Declined, unanswered and the deregistered enterprise are not reminded.
    assert _reminded(event) == {"参加公司", "派同事公司"}
    assert (
        set(event.invitations.filter(reminded_at__isnull=False).values_list("pk", flat=True))
        == expected
    )
    messages = OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE)
    assert messages.count() == 2
    for message in messages:
        invitation = EventInvitation.objects.get(reminder=message)
        assert invitation.liaison_id == message.liaison_id
        assert message.to == invitation.liaison.mobile
        assert message.status == OutboxMessage.Status.QUEUED
        assert message.next_attempt_at == at(TODAY)  # 10:00, inside the window: at once
        assert "年报填报培训" in message.body
        assert "2026-11-25 14:00" in message.body
        assert "报告厅" in message.body
        assert invitation.liaison.name in message.body
        assert message.params["event_topic"] == "年报填报培训"


def test_a_second_run_reminds_nobody_twice(clock, invited):
    event_reminders_queue(now=at(TODAY), calendar=ORDINARY)
    again = event_reminders_queue(now=at(TODAY, 15, 5), calendar=ORDINARY)
    assert (again.written, again.queued) == (0, 0)
    assert OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE).count() == 2


def test_an_answer_given_after_the_morning_run_is_reminded_by_the_afternoon_run(clock, invited):
    event, made = invited
    event_reminders_queue(now=at(TODAY), calendar=ORDINARY)
    _answer(event, made["未答复"], Answer.ATTEND)
    # And one who declined in the morning changes their mind: not reminded before, so now.
    _answer(event, made["不参加"], Answer.DELEGATE, delegate_name="王芳")
    later = event_reminders_queue(now=at(TODAY, 15, 5), calendar=ORDINARY)
    assert later.written == 2
    assert _reminded(event) == {"参加公司", "派同事公司", "未答复公司", "不参加公司"}


def test_a_declined_liaison_is_not_reminded(clock, invited):
    event, _made = invited
    event.invitations.update(answer=Answer.DECLINE, delegate_name="", answered_at=at(TODAY, 9))
    assert event_reminders_queue(now=at(TODAY), calendar=ORDINARY).written == 0
    assert not OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE).exists()


def test_a_replaced_liaison_is_not_reminded(clock, invited):
    event, made = invited
    made["参加"].liaisons.update(ended_on=TODAY)
    LiaisonFactory(enterprise=made["参加"], name="新人", mobile="13900009999")
    event_reminders_queue(now=at(TODAY), calendar=ORDINARY)
    assert _reminded(event) == {"派同事公司"}


def test_events_further_off_wait_and_events_today_are_not_reminded_the_day_before(
    clock, staff_user, grid_a
):
    made = _liaisons(grid_a)
    later = _event(staff_user, TODAY + datetime.timedelta(days=2), topic="后天")
    earlier_today = _event(staff_user, TODAY, hour=9, topic="今天早上")  # already begun
    for event in (later,):
        event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
        _answer(event, made["参加"], Answer.ATTEND)
    assert event_reminders_queue(now=at(TODAY), calendar=ORDINARY).written == 0
    assert not earlier_today.invitations.exists()
    # The next day it is tomorrow's.
    assert event_reminders_queue(now=at(TOMORROW), calendar=ORDINARY).written == 1


def test_friday_reminds_the_weekends_and_mondays_events(clock, staff_user, grid_a):
    friday = datetime.date(2026, 11, 27)
    made = _liaisons(grid_a)
    events = {
        day: _event(staff_user, friday + datetime.timedelta(days=day), topic=f"第{day}天")
        for day in (1, 2, 3, 4)  # Saturday, Sunday, Monday, Tuesday
    }
    for event in events.values():
        event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
        _answer(event, made["参加"], Answer.ATTEND)
    result = event_reminders_queue(now=at(friday, 10, 5), calendar=ORDINARY)
    assert result.written == 3
    assert [bool(_reminded(events[day])) for day in (1, 2, 3, 4)] == [True, True, True, False]
    # Saturday's run (outside the window) queues Tuesday's reminder for Monday 09:00, the
    # window's next start, and Sunday's finds nothing left: nothing goes out on the weekend.
    saturday = event_reminders_queue(
        now=at(friday + datetime.timedelta(days=1), 10, 5), calendar=ORDINARY
    )
    assert saturday.written == 1
    assert _reminded(events[4])
    message = OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE).latest("pk")
    assert message.next_attempt_at == at(friday + datetime.timedelta(days=3), 9)
    sunday = event_reminders_queue(
        now=at(friday + datetime.timedelta(days=2), 10, 5), calendar=ORDINARY
    )
    assert sunday.written == 0
    assert OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE).count() == 4


def test_a_holiday_moves_the_reminder_to_the_last_working_day_before_it(clock, staff_user, grid_a):
    # 30 November 2026 a Monday, 1 December a holiday (entered by an admin), 2 December back.
    monday = datetime.date(2026, 11, 30)
    holiday = WorkCalendar(entered={2026: {datetime.date(2026, 12, 1): False}})
    made = _liaisons(grid_a)
    on_holiday = _event(staff_user, datetime.date(2026, 12, 1), topic="假日")
    after = _event(staff_user, datetime.date(2026, 12, 2), topic="节后")
    for event in (on_holiday, after):
        event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
        _answer(event, made["参加"], Answer.ATTEND)
    assert event_reminders_queue(now=at(monday, 10, 5), calendar=holiday).written == 2
    assert _reminded(on_holiday) and _reminded(after)


def test_a_make_up_working_saturday_sends_the_sunday_and_monday_reminders(
    clock, staff_user, grid_a
):
    # 调休: Saturday 28 November 2026 made a working day.
    friday, saturday = datetime.date(2026, 11, 27), datetime.date(2026, 11, 28)
    make_up = WorkCalendar(entered={2026: {saturday: True}})
    made = _liaisons(grid_a)
    events = [
        _event(staff_user, friday + datetime.timedelta(days=day), topic=f"第{day}天")
        for day in (1, 2, 3)
    ]
    for event in events:
        event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
        _answer(event, made["参加"], Answer.ATTEND)
    assert event_reminders_queue(now=at(friday, 10, 5), calendar=make_up).written == 1
    assert event_reminders_queue(now=at(saturday, 10, 5), calendar=make_up).written == 2
    message = OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE).latest("pk")
    assert message.next_attempt_at == at(saturday, 10, 5)


def test_after_the_window_closes_the_reminder_waits_for_the_next_morning(clock, staff_user, grid_a):
    made = _liaisons(grid_a)
    # Answered late on Tuesday for Wednesday afternoon: queued for Wednesday 09:00.
    event = _event(staff_user, TOMORROW, hour=14)
    event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
    _answer(event, made["参加"], Answer.ATTEND)
    result = event_reminders_queue(now=at(TODAY, 18), calendar=ORDINARY)
    assert result.written == 1
    message = OutboxMessage.objects.get(purpose=REMINDER_PURPOSE)
    assert message.next_attempt_at == at(TOMORROW, 9)


def test_a_liaison_without_a_mobile_gets_a_not_sent_row(clock, invited):
    event, made = invited
    made["参加"].liaisons.update(mobile="")
    event_reminders_queue(now=at(TODAY), calendar=ORDINARY)
    message = OutboxMessage.objects.get(enterprise=made["参加"], purpose=REMINDER_PURPOSE)
    assert (message.status, message.problem) == (
        OutboxMessage.Status.SKIPPED,
        OutboxMessage.Problem.NO_ADDRESS,
    )
    assert "参加公司" in _reminded(event)  # and is not tried again


def test_the_beat_task_reminds_once(clock, invited):
    assert "outreach-events-remind" in settings.CELERY_BEAT_SCHEDULE
    entry = settings.CELERY_BEAT_SCHEDULE["outreach-events-remind"]
    assert entry["task"] == remind_invitees.name
    # The clock stands on Tuesday 24 November 2026, a working day in every calendar.
    assert remind_invitees() == {"written": 2, "queued": 2}
    assert remind_invitees() == {"written": 0, "queued": 0}


def test_the_reminders_are_one_statement_whatever_the_number(
    clock, staff_user, grid_a, django_assert_max_num_queries
):
    event = _event(staff_user, TOMORROW)
    for index in range(30):
        enterprise = EnterpriseFactory(grid=grid_a, name=f"公司{index}")
        LiaisonFactory(enterprise=enterprise, mobile=f"139000020{index:02d}")
    event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user)
    event.invitations.update(answer=Answer.ATTEND, answered_at=at(TODAY, 9))
    with django_assert_max_num_queries(6):
        assert event_reminders_queue(now=at(TODAY), calendar=ORDINARY).written == 30


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_remind_each_invitee_once(staff_user, grid_a):
    from outreach.messaging.defaults import templates_ensure_defaults
    from tests.concurrency import at_once

    templates_ensure_defaults()
    now = at(TODAY)  # passed down: the threads share no frozen clock
    event = event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="年报填报培训",
        starts_at=at(TOMORROW, 14),
        place="报告厅",
        now=now,
    )
    made = _liaisons(grid_a)
    event_invite(event=event, filters=EnterpriseFilters(grid="A"), by=staff_user, now=now)
    _answer(event, made["参加"], Answer.ATTEND)
    _answer(event, made["派同事"], Answer.DELEGATE, delegate_name="刘洋")
    results, errors = at_once(lambda: event_reminders_queue(now=now, calendar=ORDINARY).written)
    assert errors == []
    assert sorted(results) == [0, 2]
    assert OutboxMessage.objects.filter(purpose=REMINDER_PURPOSE).count() == 2
