"""Issue 19's rules: the changes that matter (business scope and executives are major; a
dead number during a major change is one urgent task; a change of control opens a
compliance-attention task that never shows the values), liaisons from other provinces weigh
more, and the annual report is due by 30 June. Each creates and closes its work once."""

import datetime

import pytest
from django.utils import timezone

from monitoring import kinds
from monitoring.models import RuleSettings
from monitoring.services import rules_sweep
from outreach.models import ContactAttempt, Task
from outreach.services import contact_attempt_record, task_close
from registry import clock
from registry import services as registry
from registry.models import Enterprise, Liaison
from tests.concurrency import at_once
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_id_number

pytestmark = pytest.mark.django_db


def _open(kind, enterprise=None):
    tasks = Task.objects.filter(kind=kind, status=Task.Status.OPEN)
    return tasks.filter(enterprise=enterprise) if enterprise else tasks


def _result(results, kind):
    return next(r for r in results if r.kind == kind)


def _update(enterprise, by, **changes):
    enterprise.refresh_from_db()
    registry.enterprise_update(enterprise=enterprise, by=by, **changes)


def _dead_number(enterprise, by, days_ago=8):
    contact_attempt_record(
        enterprise=enterprise,
        channel=ContactAttempt.Channel.PHONE,
        outcome=ContactAttempt.Outcome.NOT_IN_SERVICE,
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
        by=by,
    )


@pytest.mark.parametrize(
    "change",
    [{"business_scope": "软件开发；技术咨询"}, {"executives": "董事：张三；监事：李四"}],
)
def test_a_new_business_scope_or_new_executives_is_a_major_change(enterprise_a, staff_user, change):
    rules_sweep()
    assert not _open(kinds.MAJOR_CHANGE).exists()
    _update(enterprise_a, staff_user, **change)
    rules_sweep()
    assert _open(kinds.MAJOR_CHANGE, enterprise_a).count() == 1


def test_the_same_executives_typed_differently_are_no_change(enterprise_a, staff_user):
    _update(enterprise_a, staff_user, executives="董事：张三、李四；监事：王五")
    enterprise_a.refresh_from_db()
    assert enterprise_a.executive_list == [("董事", "张三"), ("董事", "李四"), ("监事", "王五")]
    # The liaison is verified after the first change.
    Liaison.objects.filter(enterprise=enterprise_a).update(last_verified_at=timezone.now())
    _update(enterprise_a, staff_user, executives="监事:王五\n董事长: 张三, 李四")
    rules_sweep()
    assert not _open(kinds.MAJOR_CHANGE).exists()


def test_a_dead_number_during_a_major_change_is_one_urgent_task(enterprise_a, staff_user):
    _dead_number(enterprise_a, staff_user)
    rules_sweep()
    assert _open(kinds.NOT_IN_SERVICE, enterprise_a).count() == 1

    _update(enterprise_a, staff_user, business_scope="经营范围变更后的内容")
    results = rules_sweep()
    urgent = _open(kinds.DEAD_NUMBER_MAJOR_CHANGE).get()
    assert urgent.enterprise == enterprise_a
    assert urgent.due_on == clock.today()
    assert "backup phone" in urgent.note or "备用" in urgent.note
    # One task, not two or three: the dead-number task is merged, no major-change task opens.
    assert _open(kinds.NOT_IN_SERVICE).count() == 0
    assert _open(kinds.MAJOR_CHANGE).count() == 0
    assert _result(results, kinds.NOT_IN_SERVICE).closed == 1
    assert (
        Task.objects.filter(enterprise=enterprise_a, status=Task.Status.OPEN)
        .filter(kind__startswith="rule_")
        .count()
        == 1
    )
    # Again: nothing changes.
    again = rules_sweep()
    assert all(r.opened == 0 and r.closed == 0 for r in again)

    # Reaching someone answers it, and no rule comes back.
    contact_attempt_record(
        enterprise=enterprise_a,
        channel=ContactAttempt.Channel.PHONE,
        outcome=ContactAttempt.Outcome.REACHED,
        verified=True,
        by=staff_user,
    )
    assert not _open(kinds.DEAD_NUMBER_MAJOR_CHANGE).exists()
    rules_sweep()
    assert not Task.objects.filter(
        enterprise=enterprise_a, status=Task.Status.OPEN, kind__startswith="rule_"
    ).exists()


def test_a_major_change_long_before_the_dead_number_stays_two_tasks(enterprise_a, staff_user):
    RuleSettings.objects.update_or_create(pk=1, defaults={"dead_number_major_days": 1})
    _update(enterprise_a, staff_user, legal_representative="新法人")
    Enterprise.pgh_event_model.objects.filter(pgh_obj=enterprise_a).update(
        pgh_created_at=timezone.now() - datetime.timedelta(days=5), pgh_context=None
    )
    _dead_number(enterprise_a, staff_user)
    rules_sweep()
    assert not _open(kinds.DEAD_NUMBER_MAJOR_CHANGE).exists()
    assert _open(kinds.NOT_IN_SERVICE, enterprise_a).exists()
    assert _open(kinds.MAJOR_CHANGE, enterprise_a).exists()


def test_a_change_of_control_asks_for_attention_without_showing_the_values(
    enterprise_a, staff_user
):
    _update(enterprise_a, staff_user, beneficial_owner="欧阳某某", tax_residency="开曼群岛")
    rules_sweep()
    task = _open(kinds.CONTROL_CHANGE, enterprise_a).get()
    assert "欧阳" not in task.note and "开曼" not in task.note
    assert "beneficial owner" in task.note or "受益所有人" in task.note or "实际受益人" in task.note
    assert _result(rules_sweep(), kinds.CONTROL_CHANGE).opened == 0

    # A person looked into it: done, and the rule does not open it again…
    task_close(task=task, by=staff_user, note="核实：股权转让")
    rules_sweep()
    assert not _open(kinds.CONTROL_CHANGE).exists()
    # … until control changes again.
    _update(enterprise_a, staff_user, tax_residency="非居民企业")
    rules_sweep()
    assert _open(kinds.CONTROL_CHANGE, enterprise_a).count() == 1


def test_liaisons_from_other_provinces_weigh_more(grid_a, staff_user):
    def changes(mobiles, ids):
        enterprise = EnterpriseFactory(grid=grid_a)
        LiaisonFactory(enterprise=enterprise, mobile=mobiles[0], id_number=ids[0])
        for n, (mobile, id_number) in enumerate(zip(mobiles[1:], ids[1:], strict=True)):
            registry.liaison_replace(
                enterprise=enterprise,
                by=staff_user,
                name=f"继任{n}",
                mobile=mobile,
                id_number=id_number,
                started_on=clock.today() - datetime.timedelta(days=60 - n),
            )
        return enterprise

    shanghai = valid_id_number(1)  # 310115…
    beijing = "11010519491231002X"
    # Two changes within Shanghai (mobiles of one block): 2 < 3.
    same = changes(["15000000001", "15000000002", "15000000003"], [shanghai, "", shanghai])
    # Two changes, the second from Beijing by ID number and by mobile: 1 + (1 + 1 + 1) >= 3.
    moved = changes(["15000000004", "15000000005", "13800138000"], [shanghai, shanghai, beijing])
    rules_sweep()
    assert set(_open(kinds.FREQUENT_CHANGES).values_list("enterprise", flat=True)) == {moved.pk}
    # An admin turns the weight off: the moved enterprise's two changes no longer suffice.
    RuleSettings.objects.update_or_create(pk=1, defaults={"region_change_weight": 0})
    rules_sweep()
    assert not _open(kinds.FREQUENT_CHANGES).exists()
    assert same.pk  # the unmoved one never held


@pytest.mark.parametrize(
    ("today", "holds"),
    [
        (datetime.date(2026, 1, 1), False),
        (datetime.date(2026, 6, 30), False),
        (datetime.date(2026, 7, 1), True),
        (datetime.date(2026, 12, 31), True),
    ],
)
def test_from_1_july_an_unfiled_annual_report_opens_a_task(
    enterprise_a, grid_a, staff_user, today, holds
):
    filed = EnterpriseFactory(grid=grid_a)
    new = EnterpriseFactory(grid=grid_a)  # registered in 2026: not asked for 2025's report
    Enterprise.objects.exclude(pk=new.pk).update(
        created_at=clock.start_of_day(datetime.date(2025, 3, 1))
    )
    Enterprise.objects.filter(pk=new.pk).update(
        created_at=clock.start_of_day(datetime.date(2026, 1, 1))
    )
    registry.annual_report_set(
        enterprise=filed, year=2025, filed=True, by=staff_user, now=clock.start_of_day(today)
    )
    now = clock.start_of_day(today) + datetime.timedelta(hours=9)
    rules_sweep(now=now)
    expected = {enterprise_a.pk} if holds else set()
    assert set(_open(kinds.ANNUAL_REPORT_MISSING).values_list("enterprise", flat=True)) == expected
    if holds:
        note = _open(kinds.ANNUAL_REPORT_MISSING).get().note
        assert "不" in note or "not" in note  # the park cannot list: the regulator does
        registry.annual_report_set(
            enterprise=enterprise_a, year=2025, filed=True, by=staff_user, now=now
        )
        assert _result(rules_sweep(now=now), kinds.ANNUAL_REPORT_MISSING).closed == 1
        assert not _open(kinds.ANNUAL_REPORT_MISSING).exists()


@pytest.mark.django_db(transaction=True)
def test_the_new_rules_at_once_open_each_task_once(grid_a, staff_user):
    made = []
    for _ in range(6):
        enterprise = EnterpriseFactory(grid=grid_a)
        LiaisonFactory(enterprise=enterprise)
        made.append(enterprise)
    for enterprise in made[:3]:
        _dead_number(enterprise, staff_user)
        _update(enterprise, staff_user, executives="董事：新人")
    for enterprise in made[3:]:
        _update(enterprise, staff_user, beneficial_owner="某某")
    _results, errors = at_once(rules_sweep)
    assert not errors
    assert _open(kinds.DEAD_NUMBER_MAJOR_CHANGE).count() == 3
    assert _open(kinds.CONTROL_CHANGE).count() == 3
    assert not _open(kinds.NOT_IN_SERVICE).exists() and not _open(kinds.MAJOR_CHANGE).exists()
    assert all(r.opened == 0 and r.closed == 0 for r in rules_sweep())
