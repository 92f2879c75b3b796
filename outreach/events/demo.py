"""The demo park's events: a training held this year, one coming (the park's liaisons invited,
some answered), a salon online."""

import datetime
import random

from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create, event_invite, invitation_answer
from registry import clock
from registry.selectors import EnterpriseFilters


def seed_events(*, rng: random.Random, users: dict) -> None:
    by = users.get("staff") or users.get("admin")
    if by is None or Event.objects.exists():
        return
    today = clock.today()

    def at(days: int, hour: int) -> datetime.datetime:
        return clock.start_of_day(today + datetime.timedelta(days=days)) + datetime.timedelta(
            hours=hour
        )

    event_create(
        by=by,
        kind=Event.Kind.TRAINING,
        topic="企业年报填报与常见问题培训",
        starts_at=at(-40, 14),
        ends_at=at(-40, 16),
        place="园区服务中心 3楼报告厅",
        capacity=80,
        speaker="市场监管所 王科长",
        materials_note="年报填报指南（PDF），会后发送。",
    )
    upcoming = event_create(
        by=by,
        kind=Event.Kind.TRAINING,
        topic="税务合规与发票管理培训",
        starts_at=at(9, 9),
        ends_at=at(9, 11),
        place="园区服务中心 3楼报告厅",
        capacity=60,
        speaker="税务所 李老师",
    )
    event_create(
        by=by,
        kind=Event.Kind.SALON,
        topic="联络员沙龙：数据合规小讲堂",
        starts_at=at(16, 15),
        online_link="https://meeting.example.com/j/123456",
        capacity=30,
    )
    # The park's liaisons invited to the coming training (as staff see the list); a dozen
    # have answered.
    event_invite(event=upcoming, filters=EnterpriseFilters(), by=by)
    answers = [EventInvitation.Answer.ATTEND] * 3 + [EventInvitation.Answer.DECLINE]
    for invitation in upcoming.invitations.select_related("event").order_by("pk")[:12]:
        answer = rng.choice(answers)
        invitation_answer(invitation=invitation, answer=answer)
