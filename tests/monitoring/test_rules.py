"""The rules that create work: each opens at most one task per enterprise, closes it when its
condition clears, and a second run (or two at once) changes nothing."""

import datetime

import pytest
from django.utils import timezone

from monitoring import kinds
from monitoring.models import RuleSettings
from monitoring.services import rules_sweep
from outreach.models import ContactAttempt, Task
from outreach.services import contact_attempt_record
from registry import services as registry
from registry.models import Liaison
from tests.concurrency import at_once
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_mobile

pytestmark = pytest.mark.django_db


def _tasks(kind, enterprise=None, status=Task.Status.OPEN):
    tasks = Task.objects.filter(kind=kind, status=status)
    return tasks.filter(enterprise=enterprise) if enterprise else tasks


def _age_liaison(enterprise, days):
    long_ago = timezone.now() - datetime.timedelta(days=days)
    Liaison.objects.filter(enterprise=enterprise).update(updated_at=long_ago, last_verified_at=None)


def _result(results, kind):
    return next(r for r in results if r.kind == kind)


def test_a_liaison_not_verified_for_six_months_gets_one_task_closed_by_verifying(
    enterprise_a, staff_user, worker_a
):
    _age_liaison(enterprise_a, days=200)
    fresh = EnterpriseFactory(grid=enterprise_a.grid)
    LiaisonFactory(enterprise=fresh)
    rules_sweep()
    task = _tasks(kinds.STALE_LIAISON).get()
    assert (task.enterprise, task.source, task.assignee) == (enterprise_a, "rule", worker_a)
    # A second run changes nothing.
    again = rules_sweep()
    assert _result(again, kinds.STALE_LIAISON).opened == 0
    assert Task.objects.filter(kind=kinds.STALE_LIAISON).count() == 1

    contact_attempt_record(
        enterprise=enterprise_a,
        channel=ContactAttempt.Channel.PHONE,
        outcome=ContactAttempt.Outcome.REACHED,
        verified=True,
        by=staff_user,
    )
    closed = rules_sweep()
    assert _result(closed, kinds.STALE_LIAISON).closed == 1
    assert not _tasks(kinds.STALE_LIAISON).exists()


def test_the_threshold_is_a_setting_admins_edit(enterprise_a):
    _age_liaison(enterprise_a, days=40)
    rules_sweep()
    assert not _tasks(kinds.STALE_LIAISON).exists()
    RuleSettings.objects.update_or_create(pk=1, defaults={"stale_liaison_months": 1})
    rules_sweep()
    assert _tasks(kinds.STALE_LIAISON, enterprise_a).exists()


def test_an_annual_report_phone_unlike_the_registered_one_opens_a_task_until_fixed(
    enterprise_a, staff_user
):
    registry.enterprise_update(
        enterprise=enterprise_a,
        by=staff_user,
        registered_phone="021-55551234",
        annual_report_phone="13800001111",
    )
    EnterpriseFactory(registered_phone="021-55550000", annual_report_phone="021-55550000")
    rules_sweep()
    assert set(_tasks(kinds.PHONE_MISMATCH).values_list("enterprise", flat=True)) == {
        enterprise_a.pk
    }
    enterprise_a.refresh_from_db()
    registry.enterprise_update(
        enterprise=enterprise_a, by=staff_user, annual_report_phone="021-55551234"
    )
    rules_sweep()
    assert not _tasks(kinds.PHONE_MISMATCH).exists()
    assert _tasks(kinds.PHONE_MISMATCH, status=Task.Status.DONE).count() == 1


def _not_in_service(enterprise, days_ago, staff_user):
    contact_attempt_record(
        enterprise=enterprise,
        channel=ContactAttempt.Channel.PHONE,
        outcome=ContactAttempt.Outcome.NOT_IN_SERVICE,
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
        by=staff_user,
    )


def test_a_number_not_in_service_for_seven_days_opens_a_task_until_the_liaison_is_reached(
    enterprise_a, grid_a, staff_user
):
    recent = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=recent)
    _not_in_service(enterprise_a, 8, staff_user)
    _not_in_service(recent, 3, staff_user)
    rules_sweep()
    assert set(_tasks(kinds.NOT_IN_SERVICE).values_list("enterprise", flat=True)) == {
        enterprise_a.pk
    }
    # Reaching the liaison answers the task at once (and the rule agrees next time).
    contact_attempt_record(
        enterprise=enterprise_a,
        channel=ContactAttempt.Channel.WECHAT,
        outcome=ContactAttempt.Outcome.REACHED,
        by=staff_user,
    )
    assert not _tasks(kinds.NOT_IN_SERVICE).exists()
    rules_sweep()
    assert not _tasks(kinds.NOT_IN_SERVICE).exists()


def test_a_new_liaison_clears_the_not_in_service_rule(enterprise_a, staff_user):
    _not_in_service(enterprise_a, 8, staff_user)
    rules_sweep()
    assert _tasks(kinds.NOT_IN_SERVICE).exists()
    registry.liaison_replace(
        enterprise=enterprise_a, by=staff_user, name="新联络员", mobile=valid_mobile()
    )
    rules_sweep()
    assert not _tasks(kinds.NOT_IN_SERVICE).exists()


def test_three_liaison_changes_in_a_year_call_for_compliance_attention(enterprise_a, staff_user):
    # Changes counted alone: the extra weight of another province is
    # tests/monitoring/test_rules_changes.py's.
    RuleSettings.objects.update_or_create(pk=1, defaults={"region_change_weight": 0})
    for _ in range(2):
        registry.liaison_replace(
            enterprise=enterprise_a, by=staff_user, name="新联络员", mobile=valid_mobile()
        )
    # The factory's first liaison started in 2025: two changes so far.
    Liaison.objects.filter(enterprise=enterprise_a).update(
        started_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    rules_sweep()
    assert not _tasks(kinds.FREQUENT_CHANGES).exists()
    registry.liaison_replace(
        enterprise=enterprise_a, by=staff_user, name="又一位联络员", mobile=valid_mobile()
    )
    rules_sweep()
    assert _tasks(kinds.FREQUENT_CHANGES, enterprise_a).count() == 1


def test_a_major_change_asks_to_verify_the_liaison(enterprise_a, staff_user):
    registry.enterprise_update(enterprise=enterprise_a, by=staff_user, industry="软件")
    rules_sweep()
    assert not _tasks(kinds.MAJOR_CHANGE).exists()  # not a major change
    enterprise_a.refresh_from_db()
    registry.enterprise_update(enterprise=enterprise_a, by=staff_user, legal_representative="赵六")
    rules_sweep()
    assert _tasks(kinds.MAJOR_CHANGE, enterprise_a).count() == 1
    contact_attempt_record(
        enterprise=enterprise_a,
        channel=ContactAttempt.Channel.PHONE,
        outcome=ContactAttempt.Outcome.REACHED,
        verified=True,
        by=staff_user,
    )
    rules_sweep()
    assert not _tasks(kinds.MAJOR_CHANGE).exists()


def test_a_deregistered_enterprise_gets_no_rule_work(enterprise_a, staff_user):
    _age_liaison(enterprise_a, days=200)
    rules_sweep()
    assert _tasks(kinds.STALE_LIAISON).exists()
    enterprise_a.refresh_from_db()
    registry.enterprise_update(enterprise=enterprise_a, by=staff_user, status="deregistered")
    rules_sweep()
    assert not _tasks(kinds.STALE_LIAISON).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_open_each_task_once(grid_a):
    for _ in range(20):
        enterprise = EnterpriseFactory(grid=grid_a)
        LiaisonFactory(enterprise=enterprise)
    Liaison.objects.update(updated_at=timezone.now() - datetime.timedelta(days=400))
    _results, errors = at_once(rules_sweep)
    assert not errors
    assert Task.objects.filter(kind=kinds.STALE_LIAISON).count() == 20


def test_a_park_admin_edits_the_thresholds_in_the_django_admin(client, admin_user):
    client.force_login(admin_user)
    url = f"/admin/monitoring/rulesettings/{RuleSettings.current().pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "stale_liaison_months": 3,
            "not_in_service_days": 7,
            "frequent_changes_count": 3,
            "frequent_changes_months": 12,
            "major_change_days": 90,
            "building_attention_count": 3,
            "dead_number_major_days": 30,
            "region_change_weight": 1,
            "task_due_days": 7,
        },
    )
    assert response.status_code == 302
    assert RuleSettings.current().stale_liaison_months == 3
