"""Events (issue 20, first slice): staff create and edit trainings, meetings and salons in
the park's time; the list filters them; the year's trainings are counted against the park's
target on the events page and on the dashboard."""

import datetime

import pytest
from django.urls import reverse

from core.errors import ServiceError
from outreach.events.models import Event, EventSettings
from outreach.events.selectors import training_progress
from outreach.events.services import event_create, event_update
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db

LIST = reverse("outreach:events:list")
NEW = reverse("outreach:events:new")


def _event(by, *, days=0, hour=14, kind=Event.Kind.TRAINING, topic="年报培训", **extra):
    data = {"place": "服务中心报告厅", **extra}
    return event_create(
        by=by,
        kind=kind,
        topic=topic,
        starts_at=at(TODAY + datetime.timedelta(days=days), hour),
        **data,
    )


def test_staff_create_a_training_in_the_parks_time(client, clock, staff_user):
    client.force_login(staff_user)
    response = client.post(
        NEW,
        {
            "kind": "training",
            "topic": "税务合规培训",
            "starts_at": "2026-12-03T09:30",
            "ends_at": "2026-12-03T11:00",
            "place": "服务中心3楼",
            "capacity": "60",
            "speaker": "李老师",
            "materials_note": "课件会后发送",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    # 09:30 entered is 09:30 Beijing time (01:30 UTC), whatever the server's zone.
    assert event.starts_at == at(datetime.date(2026, 12, 3), 9, 30)
    assert event.created_by == staff_user
    page = client.get(LIST).content.decode()
    assert "税务合规培训" in page
    assert "2026-12-03 09:30–11:00" in page


def test_a_salon_online_needs_no_room(client, clock, staff_user):
    client.force_login(staff_user)
    response = client.post(
        NEW,
        {
            "kind": "salon",
            "topic": "数据合规沙龙",
            "starts_at": "2026-12-10T15:00",
            "online_link": "https://meeting.example.com/j/1",
        },
    )
    assert response.status_code == 302
    assert Event.objects.get().online_link == "https://meeting.example.com/j/1"


def test_neither_place_nor_link_is_refused_with_a_message(client, clock, staff_user):
    client.force_login(staff_user)
    response = client.post(
        NEW, {"kind": "meeting", "topic": "服务月座谈会", "starts_at": "2026-12-10T15:00"}
    )
    assert response.status_code == 400
    assert "请填写地点或线上链接" in response.content.decode()
    assert not Event.objects.exists()


def test_an_end_before_the_start_is_refused(client, clock, staff_user):
    client.force_login(staff_user)
    response = client.post(
        NEW,
        {
            "kind": "training",
            "topic": "培训",
            "starts_at": "2026-12-10T15:00",
            "ends_at": "2026-12-10T14:00",
            "place": "会议室",
        },
    )
    assert response.status_code == 400
    assert "结束时间须晚于开始时间" in response.content.decode()
    assert not Event.objects.exists()


def test_staff_edit_an_event(client, clock, staff_user):
    event = _event(staff_user, days=5)
    client.force_login(staff_user)
    url = reverse("outreach:events:edit", args=[event.pk])
    form = client.get(url).content.decode()
    assert "年报培训" in form
    response = client.post(
        url,
        {
            "kind": "training",
            "topic": "年报培训（改期）",
            "starts_at": "2026-12-01T10:00",
            "place": "服务中心报告厅",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.topic == "年报培训（改期）"
    assert event.starts_at == at(datetime.date(2026, 12, 1), 10)


def test_grid_workers_and_auditors_read_but_do_not_edit(client, clock, staff_user, auditor):
    event = _event(staff_user, days=5)
    client.force_login(auditor)
    page = client.get(LIST).content.decode()
    assert "年报培训" in page
    assert NEW not in page
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("outreach:events:edit", args=[event.pk])).status_code == 403


def test_the_list_filters_by_kind_and_time(client, clock, staff_user):
    _event(staff_user, days=-30, topic="上月培训")
    _event(staff_user, days=7, topic="下周培训")
    _event(staff_user, days=3, kind=Event.Kind.SALON, topic="沙龙")
    client.force_login(staff_user)
    upcoming = client.get(LIST, {"when": "upcoming"}).content.decode()
    assert "下周培训" in upcoming and "沙龙" in upcoming and "上月培训" not in upcoming
    # Upcoming: soonest first.
    assert upcoming.index("沙龙") < upcoming.index("下周培训")
    salons = client.get(LIST, {"kind": "salon"}).content.decode()
    assert "沙龙" in salons and "培训" not in salons.split("event-rows")[1]
    assert client.get(LIST, {"kind": "nonsense\x00"}).status_code == 200


def test_training_progress_counts_this_parks_year(clock, staff_user):
    _event(staff_user, days=-300)  # 2026-01-28: this year, held
    _event(staff_user, days=-40)  # held
    _event(staff_user, days=10)  # planned
    _event(staff_user, days=-400)  # last year: not counted
    _event(staff_user, days=-20, kind=Event.Kind.SALON)  # not a training
    # 31 Dec 2025 23:30 UTC is already 1 Jan 2026 in Shanghai: this year's.
    event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="元旦培训",
        starts_at=datetime.datetime(2025, 12, 31, 17, 0, tzinfo=datetime.UTC),
        place="会议室",
    )
    progress = training_progress()
    assert (progress.year, progress.held, progress.planned, progress.target) == (2026, 3, 1, 4)
    assert progress.short == 0
    assert not progress.reached


def test_the_target_is_the_parks_setting(clock, staff_user):
    settings_row = EventSettings.current()
    settings_row.trainings_per_year = 6
    settings_row.save()
    _event(staff_user, days=-10)
    progress = training_progress()
    assert (progress.held, progress.target, progress.short) == (1, 6, 5)


def test_the_dashboard_shows_the_years_trainings_to_staff(client, clock, staff_user, worker_a):
    _event(staff_user, days=-10)
    client.force_login(staff_user)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="training-progress"' in page
    assert "1 / 4" in page
    assert "尚需安排 3 场" in page
    # Grid workers do not hold the events: their dashboard stays about their grids.
    client.force_login(worker_a)
    assert 'data-testid="training-progress"' not in client.get(reverse("home")).content.decode()


def test_the_service_refuses_an_empty_topic(clock, staff_user):
    with pytest.raises(ServiceError) as refused:
        _event(staff_user, topic="  ")
    assert refused.value.field == "topic"
    event = _event(staff_user)
    with pytest.raises(ServiceError):
        event_update(
            event=event,
            by=staff_user,
            kind="training",
            topic="x",
            starts_at=event.starts_at,
            place="",
            online_link="",
        )
    event.refresh_from_db()
    assert event.place == "服务中心报告厅"
