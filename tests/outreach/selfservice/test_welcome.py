"""Every new liaison is welcomed once, whichever door started their period: the SMS (how
the park works with them, the 30-day filing reminder, their personal link to the data-use
notice) and the first entry of their contact log."""

import datetime
import io

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.models import ContactHealth
from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.selfservice.models import LiaisonWelcome, SelfServiceLink
from outreach.selfservice.services import (
    selfservice_details_correct,
    selfservice_handover_confirm,
    selfservice_leaving_report,
    selfservice_link_send,
)
from outreach.selfservice.welcome import PURPOSE, liaisons_welcome, welcome_later, welcomes_catch_up
from outreach.services import contact_attempt_record
from outreach.tasks import liaisons_welcome_task
from registry import services
from registry.models import Door, Liaison
from registry.spreadsheet.importing import registry_import
from tests.concurrency import at_once
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_uscc
from tests.registry.api.conftest import token_client
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _welcomes(**filters):
    return OutboxMessage.objects.filter(purpose=PURPOSE, **filters)


def _import(rows):
    """Import, then run here (Celery's ``apply``: the real task, in this process) the
    welcome the import queued for after its commit — the test's transaction never commits."""
    with TestCase.captureOnCommitCallbacks() as callbacks:
        summary = registry_import(source=io.BytesIO(xlsx_bytes(rows)), filename="名册.xlsx")
    queued = [c for c in callbacks if getattr(c, "func", None) is welcome_later]
    assert len(queued) == (1 if summary.written else 0)  # one task per import, not per row
    for callback in queued:
        liaisons_welcome_task.apply(args=callback.args).get()
    return summary


def _assert_welcomed(liaison: Liaison) -> OutboxMessage:
    """One welcome SMS to the liaison's mobile with their own link, and it is their first
    contact, which leaves the light alone."""
    sms = _welcomes(liaison=liaison).get()
    assert sms.to == liaison.mobile and sms.status == OutboxMessage.Status.QUEUED
    assert f"{liaison.name}您好" in sms.body and liaison.enterprise.name in sms.body
    assert "30日内向登记机关" in sms.body and "个人信息使用说明" in sms.body
    link = SelfServiceLink.objects.get(liaison=liaison)
    assert "/s/" in sms.body and link.state() == SelfServiceLink.STATE_OPEN
    attempt = ContactAttempt.objects.filter(liaison=liaison).earliest("occurred_at")
    assert (attempt.channel, attempt.outcome) == ("sms", ContactAttempt.Outcome.SENT)
    return sms


def test_a_staff_replacement_welcomes_the_new_liaison_once(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    response = client.post(
        reverse("registry:liaison_replace", args=[enterprise_a.uscc]),
        {"name": "王芳", "mobile": "13700002222"},
    )
    assert response.status_code == 302
    new = Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True)
    sms = _assert_welcomed(new)
    assert sms.created_by == staff_user
    assert LiaisonWelcome.objects.get().door == Door.STAFF
    # The old liaison was not welcomed; doing it again for the new one sends nothing.
    assert _welcomes().count() == 1
    assert liaisons_welcome(liaison_ids=[new.pk], door=Door.STAFF, by=staff_user) == 0
    assert _welcomes().count() == 1 and ContactAttempt.objects.count() == 1
    # The welcome is no failure: the light stays green, nothing was counted.
    assert not ContactHealth.objects.filter(enterprise=enterprise_a, light="red").exists()


def test_a_new_enterprise_with_a_liaison_through_the_api_is_welcomed(staff_user, grid_a):
    response = token_client(staff_user).post(
        "/api/enterprises/",
        {
            "uscc": valid_uscc(),
            "name": "上海新到科技有限公司",
            "registered_address": "张江路1号",
            "liaison": {"name": "赵敏", "mobile": "13600003333"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    _assert_welcomed(Liaison.objects.get(name="赵敏"))


def test_an_import_that_starts_n_liaisons_sends_n_welcomes_in_as_many_statements(grid_a):
    def run(first, count):
        with CaptureQueriesContext(connection) as queries:
            summary = _import([HEADERS, *(a_row(n) for n in range(first, first + count))])
        assert summary.created == count
        return [q["sql"] for q in queries.captured_queries]

    few = run(1, 3)
    many = run(100, 40)
    assert _welcomes().count() == 43
    assert ContactAttempt.objects.filter(outcome="sent").count() == 43
    assert SelfServiceLink.objects.count() == 43
    for liaison in Liaison.objects.filter(mobile__in=["13900000001", "13900000139"]):
        _assert_welcomed(liaison)
    # Set-based: the welcome's statements do not grow with the liaisons started.
    welcome_statements = [len([s for s in sqls if "welcome" in s]) for sqls in (few, many)]
    assert welcome_statements[0] == welcome_statements[1] > 0
    assert len(few) == len(many)
    tokens = {m.body.split("/s/")[1].split("/")[0] for m in _welcomes()}
    assert len(tokens) == 43  # each their own link


def test_an_import_welcomes_replacements_only_and_a_rerun_sends_nothing(grid_a):
    _import([HEADERS, a_row(1), a_row(2)])
    assert _welcomes().count() == 2
    # Again: nothing new. An enterprise's own change starts nobody; another person (by the
    # import's rule: another name or mobile, registry-template.md) starts a new period.
    _import([HEADERS, a_row(1), a_row(2)])
    assert _welcomes().count() == 2
    summary = _import([HEADERS, a_row(1, 企业名称="改名有限公司"), a_row(2, 联络员姓名="新人")])
    assert summary.updated == 2
    assert _welcomes().count() == 3
    _assert_welcomed(Liaison.objects.get(name="新人"))


def test_an_import_rolled_back_welcomes_nobody(grid_a):
    summary = _import([HEADERS, a_row(1), a_row(2, 联络员手机="12345")])
    assert summary.invalid and not summary.written
    assert not _welcomes().exists() and not LiaisonWelcome.objects.exists()


def test_a_confirmed_handover_welcomes_the_successor_with_their_link(staff_user, enterprise_a):
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_leaving_report(
        link=link,
        notice_version="2026-11",
        last_day=timezone.localdate() + datetime.timedelta(days=5),
        successor_name="李娜",
        successor_mobile="13700001111",
    )
    successor_link = selfservice_handover_confirm(link=link, by=staff_user)
    successor = Liaison.objects.get(name="李娜")
    sms = _assert_welcomed(successor)
    assert successor_link.liaison == successor and successor_link.state() == "open"
    assert not OutboxMessage.objects.filter(liaison=successor).exclude(pk=sms.pk).exists()


def test_a_self_service_correction_is_the_same_person_no_welcome(enterprise_a, staff_user):
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_details_correct(
        link=link, notice_version="2026-11", liaison_details={"position": "财务"}
    )
    assert not _welcomes().exists()


def test_the_welcome_leaves_the_light_to_real_contacts(staff_user, enterprise_a):
    new = services.liaison_replace(
        enterprise=enterprise_a, by=staff_user, name="王芳", mobile="13700002222"
    )
    contact_attempt_record(
        enterprise=enterprise_a, channel="phone", outcome="no_answer", by=staff_user
    )
    health = ContactHealth.objects.get(enterprise=enterprise_a)
    assert (health.consecutive_failures, health.light) == (1, "green")
    _assert_welcomed(new)


def test_no_mobile_no_link_no_contact(staff_user, grid_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    liaison = LiaisonFactory(enterprise=enterprise, mobile="13800001111")
    Liaison.objects.filter(pk=liaison.pk).update(mobile="")
    liaisons_welcome(liaison_ids=[liaison.pk], door=Door.STAFF, by=staff_user)
    assert _welcomes().get().status == OutboxMessage.Status.SKIPPED
    assert not ContactAttempt.objects.exists() and not SelfServiceLink.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_doors_at_once_welcome_once(grid_a, staff_user):
    enterprises = [EnterpriseFactory(grid=grid_a) for _ in range(3)]
    ids = [LiaisonFactory(enterprise=e).pk for e in enterprises]
    results, errors = at_once(
        lambda: liaisons_welcome(liaison_ids=ids, door=Door.IMPORT, by=None), times=4
    )
    assert not errors
    assert sorted(results) == [0, 0, 0, 3]
    assert _welcomes().count() == 3 and ContactAttempt.objects.count() == 3
    assert SelfServiceLink.objects.count() == 3


def test_an_import_leaves_the_welcome_to_a_worker_after_its_commit(grid_a):
    with TestCase.captureOnCommitCallbacks() as callbacks:
        summary = registry_import(
            source=io.BytesIO(xlsx_bytes([HEADERS, a_row(1), a_row(2)])), filename="名册.xlsx"
        )
    # The import's own transaction wrote the registry alone: no SMS, no link, no contact yet.
    assert summary.created == 2
    assert not _welcomes().exists() and not SelfServiceLink.objects.exists()
    assert [c.args[1] for c in callbacks if getattr(c, "func", None) is welcome_later] == [
        Door.IMPORT
    ]


def test_welcomes_an_import_queued_and_the_broker_lost_are_caught_up_once(grid_a):
    with TestCase.captureOnCommitCallbacks():  # the queued task is never run: lost
        registry_import(
            source=io.BytesIO(xlsx_bytes([HEADERS, a_row(1), a_row(2)])), filename="名册.xlsx"
        )
    older = EnterpriseFactory(grid=grid_a)
    old = LiaisonFactory(enterprise=older)
    Liaison.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    assert welcomes_catch_up(now=timezone.now()) == 2
    assert welcomes_catch_up(now=timezone.now()) == 0
    for liaison in Liaison.objects.filter(enterprise__grid=grid_a).exclude(pk=old.pk):
        _assert_welcomed(liaison)
    # A liaison entered before the last two days is not welcomed late.
    assert not _welcomes(liaison=old).exists()
