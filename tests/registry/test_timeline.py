"""The enterprise's timeline reads in the park's time and names people (issue 21): who did
it by their name, the liaison who left as well as the one who came ("张伟 → 赵敏"), and the
emergency procedure's steps with their evidence."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from monitoring.models import EmergencyProcedure
from monitoring.services import evidence_add, procedure_advance, procedure_start
from registry import services
from registry.models import Door
from registry.timeline import enterprise_timeline
from tests.monitoring.conftest import log

pytestmark = pytest.mark.django_db

PARK = zoneinfo.ZoneInfo("Asia/Shanghai")
# Still 31 December in UTC, already 1 January in the park.
NEW_YEAR_EVE_UTC = datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def named_staff(staff_user):
    staff_user.first_name = "服务专员小刘"
    staff_user.save()
    return staff_user


def _page_timeline(client, enterprise) -> str:
    html = client.get(reverse("registry:enterprise", args=[enterprise.uscc])).content.decode()
    return html[html.index('data-testid="timeline"') :]


def test_the_timeline_reads_in_the_parks_time(client, enterprise_a, named_staff):
    with time_machine.travel(NEW_YEAR_EVE_UTC, tick=False):
        for _ in range(3):
            log(enterprise_a, by=named_staff)
        procedure_start(enterprise=enterprise_a, by=named_staff)
        client.force_login(named_staff)
        items = enterprise_timeline(enterprise=enterprise_a, user=named_staff)
        started = next(i for i in items if i.kind == "monitoring.procedure-start")
        assert started.at.utcoffset() == datetime.timedelta(hours=8)
        assert started.at.date() == datetime.date(2027, 1, 1)
        assert "2027-01-01 00:30" in _page_timeline(client, enterprise_a)
        assert "2026-12-31 16:30" not in _page_timeline(client, enterprise_a)


def test_the_timeline_names_who_did_it_and_both_liaisons_of_a_replacement(
    client, enterprise_a, named_staff
):
    services.liaison_replace(
        enterprise=enterprise_a, by=named_staff, door=Door.STAFF, name="赵敏", mobile="13700001111"
    )
    items = enterprise_timeline(enterprise=enterprise_a, user=named_staff)
    titles = [item.title for item in items]
    assert "联络员更换：张伟 → 赵敏" in titles or "Liaison replaced: 张伟 → 赵敏" in titles
    replaced = next(i for i in items if "张伟 → 赵敏" in i.title)
    assert replaced.who == "服务专员小刘"
    assert any("张伟" in t and "→" not in t for t in titles)  # the departure, by name
    client.force_login(named_staff)
    page = _page_timeline(client, enterprise_a)
    assert "张伟 → 赵敏" in page and "服务专员小刘" in page


def test_the_emergency_procedures_steps_are_on_the_timeline(client, enterprise_a, named_staff):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=PARK), tick=False):
        for _ in range(3):
            log(enterprise_a, by=named_staff)
        procedure = procedure_start(enterprise=enterprise_a, by=named_staff)
        evidence_add(
            procedure=procedure,
            kind="ems_letter",
            occurred_on=datetime.date(2026, 11, 24),
            tracking_number="EA123456789CN",
            by=named_staff,
        )
        procedure_advance(procedure=procedure, by=named_staff)
        evidence_add(
            procedure=procedure,
            kind="landlord",
            occurred_on=datetime.date(2026, 11, 24),
            who="房东李先生",
            summary="已搬走，可打 13912345678",
            by=named_staff,
        )
        client.force_login(named_staff)
        items = enterprise_timeline(enterprise=enterprise_a, user=named_staff)
        kinds = [item.kind for item in items]
        assert "monitoring.procedure-start" in kinds
        assert "monitoring.procedure-step-1" in kinds and "monitoring.procedure-step-2" in kinds
        step2 = next(i for i in items if i.kind == "monitoring.procedure-step-2")
        assert step2.who == "服务专员小刘"
        assert [c.new for c in step2.changes if "13" in c.new] == ["已搬走，可打 139****5678"]
        page = _page_timeline(client, enterprise_a)
        assert "EA123456789CN" in page and "房东李先生" in page
        assert str(EmergencyProcedure.Step.INQUIRY.label) in step2.title
