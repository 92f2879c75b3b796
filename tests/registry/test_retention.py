"""Retention (PIPL art. 19, 47): a liaison who left more than LIAISON_RETENTION_YEARS ago, and
the people of an enterprise deregistered that long ago, are erased from every table — the
rows, their history, the outbox, self-service links, contact-log and task notes — while a
liaison who left two years ago is untouched; old import and evidence files go; the run
reports counts and writes a security-log row; a second run changes nothing."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from monitoring.models import EmergencyProcedure, Evidence
from outreach.models import ContactAttempt, Task
from outreach.selfservice.services import selfservice_link_send
from outreach.services import contact_attempt_record, task_open
from registry import clock, services
from registry.models import (
    EmergencyContact,
    Enterprise,
    ImportRun,
    Liaison,
    SecurityEvent,
)
from registry.retention import ERASED, retention_run, years_back
from tests.factories import EnterpriseFactory, valid_id_number

pytestmark = pytest.mark.django_db

LEFT = {
    "name": "欧阳娜娜",
    "mobile": "13987650001",
    "email": "ouyang.nana@example.com",
    "wechat": "wx_ouyang_nana",
    "id_number": valid_id_number(777),
}
OLD_MOBILE = "13987650002"  # corrected years ago: still theirs, in the history
CONTACT = {"name": "司马相如", "relation": "配偶", "phone": "13811112222"}
DEREGISTERED_LIAISON = {"name": "诸葛小明", "mobile": "13855556666"}
KEPT = {"name": "慕容复", "mobile": "13722223333", "wechat": "wx_murong_kept"}
SUCCESSOR = {"name": "李四", "mobile": "13600001111"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=clock.local().tzinfo),
        tick=False,
    )


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"""
        )
        return cursor.fetchall()


def _where_found(value: str) -> list[str]:
    """Every table.column holding ``value``; digits also when written with spaces or dashes."""
    found = []
    digits = value.isdigit()
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            text = f'"{column}"::text'
            if digits:
                text = f"regexp_replace({text}, '[ -]', '', 'g')"
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE strpos(lower({text}), lower(%s)) > 0',
                [value],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def park(staff_user, admin_user, grid_a):
    """Three enterprises, built on the dates they happened."""
    today = clock.today()
    cutoff = years_back(today, 3)
    long_ago = cutoff - datetime.timedelta(days=90)
    with _at(long_ago):
        left_company = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="欧阳贸易有限公司",
            registered_address="园区一路1号",
            grid=grid_a,
            liaison={**LEFT, "mobile": OLD_MOBILE},
        )
        liaison = Liaison.objects.get(enterprise=left_company)
        services.liaison_update(liaison=liaison, by=staff_user, mobile=LEFT["mobile"])
        # Texts of ours that quote them: a personal link (its SMS), a note, a task, a message.
        selfservice_link_send(enterprise=left_company, by=staff_user)
        contact_attempt_record(
            enterprise=left_company,
            channel=ContactAttempt.Channel.PHONE,
            outcome=ContactAttempt.Outcome.NO_ANSWER,
            by=staff_user,
            liaison=liaison,
            note=f"打 139 8765 0001 没人接，加了微信 {LEFT['wechat']}",
        )
        task_open(
            enterprise=left_company,
            kind=Task.Kind.INFO_CHECK,
            source=Task.Source.MANUAL,
            note=f"核对 {LEFT['name']} 的邮箱 {LEFT['email'].upper()}",
            by=staff_user,
        )
        dead_company = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="诸葛科技有限公司",
            registered_address="园区二路2号",
            liaison=DEREGISTERED_LIAISON,
            emergency_contact=CONTACT,
        )
    with _at(long_ago + datetime.timedelta(days=20)):
        services.enterprise_update(
            enterprise=dead_company, by=staff_user, status=Enterprise.Status.DEREGISTERED
        )
    with _at(long_ago + datetime.timedelta(days=30)):
        services.liaison_replace(enterprise=left_company, by=staff_user, **SUCCESSOR)
    two_years_ago = years_back(today, 2)
    with _at(two_years_ago - datetime.timedelta(days=200)):
        kept_company = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="慕容实业有限公司",
            registered_address="园区三路3号",
            liaison=KEPT,
        )
    with _at(two_years_ago):
        services.liaison_replace(
            enterprise=kept_company, by=staff_user, name="王五", mobile="13500002222"
        )
    return {"left": left_company, "dead": dead_company, "kept": kept_company}


def test_a_liaison_who_left_over_three_years_ago_is_gone_from_every_table(park):
    erased = [*LEFT.values(), OLD_MOBILE, *DEREGISTERED_LIAISON.values(), CONTACT["name"]]
    erased.append(CONTACT["phone"])
    before = {value: _where_found(value) for value in erased}
    assert all(before.values()), before  # the test put each value somewhere
    assert any("outbox" in place for place in before[LEFT["mobile"]])
    assert any("contactattempt" in place for place in before[LEFT["mobile"]])

    counts = retention_run(now=clock.now())

    leftovers = {value: _where_found(value) for value in erased}
    assert not any(leftovers.values()), leftovers
    assert counts["liaisons"] == 2  # the one who left, the deregistered company's
    assert counts["emergency_contacts"] == 1
    assert counts["outbox_messages"] >= 1 and counts["contact_attempts"] == 1
    assert counts["tasks"] == 1


def test_a_liaison_who_left_two_years_ago_and_current_ones_are_untouched(park):
    retention_run(now=clock.now())
    kept = Liaison.objects.get(enterprise=park["kept"], ended_on__isnull=False)
    assert (kept.name, kept.mobile, kept.wechat) == (KEPT["name"], KEPT["mobile"], KEPT["wechat"])
    assert any("registry_liaisonevent" in place for place in _where_found(KEPT["mobile"]))
    successor = Liaison.objects.get(enterprise=park["left"], ended_on__isnull=True)
    assert (successor.name, successor.mobile) == (SUCCESSOR["name"], SUCCESSOR["mobile"])


def test_a_value_erased_from_free_text_leaves_longer_numbers_and_kept_names_whole(staff_user):
    """Erasing the landline 5555-1234 leaves the successor's 13955551234; erasing the name
    张伟 leaves the successor 张伟明 and the kept emergency contact 李张伟, but not "张伟说"."""
    long_ago = years_back(clock.today(), 3) - datetime.timedelta(days=90)
    with _at(long_ago):
        company = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="张氏贸易有限公司",
            registered_address="园区五路5号",
            liaison={"name": "张伟", "mobile": "13987650011"},
            emergency_contact={"name": "李张伟", "relation": "同事", "phone": "13811113333"},
        )
        liaison = Liaison.objects.get(enterprise=company)
        # A landline written without its area code (an old import): the digits alone.
        Liaison.objects.filter(pk=liaison.pk).update(landline="5555-1234")
        contact_attempt_record(
            enterprise=company,
            channel=ContactAttempt.Channel.PHONE,
            outcome=ContactAttempt.Outcome.NO_ANSWER,
            by=staff_user,
            liaison=liaison,
            note="张伟说座机 5555 1234 停用，找李张伟或张伟明 13955551234",
        )
    with _at(long_ago + datetime.timedelta(days=30)):
        services.liaison_replace(
            enterprise=company, by=staff_user, name="张伟明", mobile="13955551234"
        )

    retention_run(now=clock.now())

    # (the successor's welcome is a contact of its own: the note is the call's)
    note = ContactAttempt.objects.exclude(outcome="sent").get(enterprise=company).note
    assert note == f"{ERASED}说座机 {ERASED} 停用，找李张伟或张伟明 13955551234"
    assert Liaison.objects.get(enterprise=company, ended_on__isnull=False).name == ERASED


def test_erased_records_read_as_erased_and_keep_their_periods(park):
    retention_run(now=clock.now())
    past = Liaison.objects.get(enterprise=park["left"], ended_on__isnull=False)
    assert past.name == ERASED and past.mobile == "" and past.id_number == ""
    assert past.started_on and past.ended_on  # the rule on frequent changes still counts it
    contact = EmergencyContact.objects.get(enterprise=park["dead"])
    assert contact.name == ERASED and contact.phone == ""
    note = ContactAttempt.objects.exclude(outcome="sent").get(enterprise=park["left"]).note
    assert note.startswith("打 " + ERASED) and "没人接" in note


def test_the_run_reports_its_counts_in_the_security_log_and_a_second_run_finds_nothing(park):
    first = retention_run(now=clock.now())
    second = retention_run(now=clock.now())
    assert all(count == 0 for count in second.values()), second
    rows = list(SecurityEvent.objects.filter(action=SecurityEvent.Action.RETENTION_RUN))
    assert len(rows) == 2
    assert rows[0].detail["liaisons"] + rows[1].detail["liaisons"] == first["liaisons"]


def test_a_deleted_liaisons_history_goes_once_the_period_has_passed(staff_user):
    today = clock.today()
    with _at(years_back(today, 3) - datetime.timedelta(days=10)):
        enterprise = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="已删除公司",
            registered_address="园区四路4号",
            liaison={"name": "东方不败", "mobile": "13912340000"},
        )
        services.enterprise_delete(enterprise=enterprise, by=staff_user)
    assert _where_found("东方不败")
    retention_run(now=clock.now())
    assert not _where_found("东方不败")


def test_old_import_files_are_deleted_with_the_rows_details_of_their_preview(settings, admin_user):
    settings.IMPORT_FILES_KEEP_DAYS = 30
    now = clock.now()

    def run(days_old):
        run = ImportRun(
            created_by=admin_user,
            filename="名册.csv",
            status=ImportRun.Status.DONE,
            preview={"created": 1, "changes": [{"row": 2, "changes": {"mobile": ["1", "2"]}}]},
        )
        run.file.save("名册.csv", ContentFile("手机\n13987650001\n".encode()), save=False)
        run.save()
        ImportRun.objects.filter(pk=run.pk).update(
            created_at=now - datetime.timedelta(days=days_old)
        )
        return run

    old, recent = run(31), run(29)
    old_name = old.file.name
    counts = retention_run(now=now)
    assert counts["import_files"] == 1
    old.refresh_from_db()
    assert not old.file and not default_storage.exists(old_name)
    assert old.preview == {"created": 1}
    assert old.filename == ""  # the uploader's name for it may name a person
    recent.refresh_from_db()
    assert recent.file and default_storage.exists(recent.file.name)
    assert recent.filename == "名册.csv"


def test_evidence_files_go_the_set_years_after_the_case_closed(settings, enterprise_a):
    settings.EVIDENCE_KEEP_YEARS = 5
    now = clock.now()

    def closed(years_ago):
        procedure = EmergencyProcedure.objects.create(
            enterprise=enterprise_a,
            status=EmergencyProcedure.Status.COMPLETED,
            started_at=now - datetime.timedelta(days=365 * years_ago + 30),
            ended_at=now - datetime.timedelta(days=365 * years_ago + 1),
        )
        procedure.evidence_pack.save("pack.zip", ContentFile(b"PK"), save=True)
        evidence = Evidence(
            procedure=procedure,
            step=1,
            kind=Evidence.Kind.LANDLORD,
            occurred_on=clock.today(),
            who="房东 赵先生",
            summary="说公司已搬走",
        )
        evidence.file.save("receipt.pdf", ContentFile(b"%PDF-"), save=True)
        return procedure, evidence

    (old_case, old_piece), (recent_case, recent_piece) = closed(6), closed(4)
    assert recent_case.evidence_pack
    names = [old_piece.file.name, old_case.evidence_pack.name]
    counts = retention_run(now=now)
    assert counts["evidence_files"] == 2
    assert not any(default_storage.exists(name) for name in names)
    old_piece.refresh_from_db()
    assert not old_piece.file and old_piece.who == "" and old_piece.kind == Evidence.Kind.LANDLORD
    recent_piece.refresh_from_db()
    assert recent_piece.file and recent_piece.who == "房东 赵先生"


def test_the_nightly_schedule_runs_the_retention_task(settings):
    from registry import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["registry-retention-run"]
    assert entry["task"] == tasks.retention_run.name
    counts = tasks.retention_run.run()  # an empty park: nothing to erase, every count there
    assert counts and not any(counts.values())


def test_an_emergency_contact_replaced_over_three_years_ago_leaves_no_trace(
    staff_user, enterprise_a
):
    long_ago = years_back(clock.today(), 3) - datetime.timedelta(days=10)
    with _at(long_ago):
        services.emergency_contact_set(
            enterprise=enterprise_a, by=staff_user, name="上官婉儿", phone="13866667777"
        )
    with _at(long_ago + datetime.timedelta(days=1)):
        services.emergency_contact_set(
            enterprise=enterprise_a, by=staff_user, name="欧阳修", phone="13877778888"
        )
    retention_run(now=clock.now())
    assert not _where_found("上官婉儿") and not _where_found("13866667777")
    contact = EmergencyContact.objects.get(enterprise=enterprise_a)
    assert (contact.name, contact.phone) == ("欧阳修", "13877778888")
