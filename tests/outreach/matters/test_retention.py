"""Retention of a matter's requester (the data-use notice's period, LIAISON_RETENTION_YEARS): the
name, phone and e-mail of whoever brought a matter go once it ended longer ago than that —
from the matter, its texts, its steps and the answer the outbox sent them — and at once with
a liaison the run erases, and with them the files brought with the matter; the matter stays,
so the desk's counts do not change. Matters still
open, or ended within the period, keep them."""

import datetime

import pytest
from django.db import connection

from outreach.matters import services
from outreach.matters.models import Matter
from outreach.messaging.models import OutboxMessage
from outreach.sql import matters_retention as sql
from registry import clock
from registry import services as registry_services
from registry.retention import ERASED, retention_run, years_back
from tests.factories import EnterpriseFactory
from tests.outreach.matters.files import image_bytes, media_files, pdf_bytes, upload
from tests.registry.test_retention import _at, _where_found

pytestmark = pytest.mark.django_db

LI_SI = {"name": "欧阳李四", "phone": "13700009999", "email": "ouyang.lisi@example.com"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _closed(intake, staff_user, *, rating: str = "satisfied", **kwargs) -> Matter:
    matter = intake(**kwargs)
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    matter = services.matter_take(matter=matter, by=staff_user)
    matter = services.matter_answer(
        matter=matter,
        by=staff_user,
        answer=f"{LI_SI['name']}您好，已办结；如有疑问回电 {LI_SI['phone']}。",
        resolved=True,
    )
    matter = services.matter_rate(matter=matter, satisfaction=rating)
    return services.matter_close(matter=matter, by=staff_user)


def _from_li_si(**extra):
    return {
        "liaison": None,
        "requester_name": LI_SI["name"],
        "requester_phone": LI_SI["phone"],
        "requester_email": LI_SI["email"],
        "description": f"{LI_SI['name']}来电咨询社保基数，邮箱 {LI_SI['email']}",
        **extra,
    }


def _counts() -> list[tuple]:
    """What the desk counts: each matter's state, times and rating."""
    return list(
        Matter.objects.order_by("pk").values_list(
            "number", "state", "category", "received_at", "answered_at", "closed_at",
            "satisfaction", "resolved", "overdue",
        )
    )  # fmt: skip


def test_a_requester_goes_the_notices_period_after_their_matter_ended(intake, staff_user):
    long_ago = years_back(clock.today(), 3) - datetime.timedelta(days=30)
    with _at(long_ago):
        old = _closed(intake, staff_user, **_from_li_si())
    before = _counts()

    counts = retention_run(now=clock.now())

    old.refresh_from_db()
    assert (old.requester_name, old.requester_phone, old.requester_email) == (ERASED, "", "")
    assert LI_SI["phone"] not in old.answer and LI_SI["email"] not in old.description
    assert ERASED in old.description
    assert counts["matters"] == 1
    for value in LI_SI.values():
        assert _where_found(value) == [], value
    # The answer the outbox sent them keeps its status and time, not their address or text.
    sent = OutboxMessage.objects.get(purpose="matter_answer")
    assert (sent.to, sent.body, sent.params) == ("", ERASED, {})
    assert sent.status == OutboxMessage.Status.QUEUED
    # The matter stays: the three rates count it as before.
    assert _counts() == before
    assert retention_run(now=clock.now())["matters"] == 0


def test_open_matters_and_those_ended_within_the_period_keep_their_requester(intake, staff_user):
    today = clock.today()
    with _at(years_back(today, 3) - datetime.timedelta(days=30)):
        still_open = intake(**_from_li_si())  # received long ago, never answered
    with _at(years_back(today, 2)):
        recent = _closed(intake, staff_user, **_from_li_si())

    retention_run(now=clock.now())

    for matter in (still_open, recent):
        matter.refresh_from_db()
        assert (matter.requester_name, matter.requester_phone, matter.requester_email) == (
            LI_SI["name"],
            LI_SI["phone"],
            LI_SI["email"],
        )
    assert OutboxMessage.objects.get(purpose="matter_answer").to == LI_SI["email"]


def test_a_liaison_the_run_erases_leaves_no_copy_on_their_matters(intake, staff_user, grid_a):
    today = clock.today()
    long_ago = years_back(today, 3) - datetime.timedelta(days=90)
    with _at(long_ago):
        company = registry_services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="欧阳贸易有限公司",
            registered_address="园区一路1号",
            grid=grid_a,
            liaison={"name": "欧阳娜娜", "mobile": "13987650001"},
        )
        # Still open: it is the liaison's erasure, not the matter's end, that counts here.
        matter = intake(
            enterprise=company,
            liaison=company.current_liaison,
            description="欧阳娜娜来电，手机 13987650001",
        )
    with _at(long_ago + datetime.timedelta(days=30)):
        registry_services.liaison_replace(
            enterprise=company, by=staff_user, name="李四", mobile="13600001111"
        )

    retention_run(now=clock.now())

    matter.refresh_from_db()
    assert (matter.requester_name, matter.requester_phone) == (ERASED, "")
    assert "13987650001" not in matter.description and "欧阳娜娜" not in matter.description
    assert _where_found("13987650001") == [] and _where_found("欧阳娜娜") == []
    assert matter.state == Matter.State.RECEIVED


def test_the_choice_of_ended_matters_is_the_same_in_sql_and_python(intake, staff_user):
    today = clock.today()
    for years, days in ((3, 30), (3, -30), (2, 0), (4, 0)):
        with _at(years_back(today, years) - datetime.timedelta(days=days)):
            _closed(intake, staff_user, **_from_li_si())
            intake(**_from_li_si())  # open
    cutoff = clock.start_of_day(years_back(today, 3))
    with connection.cursor() as cursor:
        chosen = sql.past_keeping(cursor, before=cutoff)
    assert chosen == set(sql.past_keeping_reference(before=cutoff).values_list("pk", flat=True))
    assert len(chosen) == 2


def test_the_files_brought_with_a_matter_go_with_its_requester(intake, staff_user, tmp_path):
    today = clock.today()
    with _at(years_back(today, 3) - datetime.timedelta(days=30)):
        old = _closed(
            intake,
            staff_user,
            **_from_li_si(attachments=[upload("身份证正面.png", image_bytes(), "image/png")]),
        )
    with _at(years_back(today, 2)):
        recent = _closed(
            intake, staff_user, **_from_li_si(attachments=[upload("来函.pdf", pdf_bytes())])
        )
    kept = recent.attachments.get().file.name
    assert len(media_files(tmp_path)) == 2

    counts = retention_run(now=clock.now())

    assert counts["matter_attachments"] == 1
    assert not old.attachments.exists()
    assert media_files(tmp_path) == [kept]  # the file itself is gone from the disk
    assert recent.attachments.count() == 1
    assert retention_run(now=clock.now())["matter_attachments"] == 0
