"""The plan: the right routine tasks on the right days, once, whatever the beat does."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command

from outreach import planner
from outreach.models import ContactAttempt, EnterpriseOutreach, OutreachPolicy, Task
from outreach.services import contact_attempt_record, plan_run, task_close
from registry.models import Enterprise
from registry.roles import Role, role_group
from registry.workdays import WorkCalendar
from tests.concurrency import at_once
from tests.factories import EnterpriseFactory, GridAreaFactory, UserFactory
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db

D = datetime.date
# The contact days left in Q4 2026 from Tuesday 24 November: 24-27 Nov, 4 Dec (1-3 Dec are
# the month's first days), then every weekday of 7-25 Dec, and Monday 28 Dec.
DAYS_LEFT = planner.contact_days(TODAY, D(2026, 12, 31), calendar=WorkCalendar())


def _routine_tasks():
    return Task.objects.filter(kind=Task.Kind.ROUTINE, status=Task.Status.OPEN)


def test_the_days_left_in_the_period_are_what_the_calendar_says():
    assert len(DAYS_LEFT) == 21
    assert DAYS_LEFT[:5] == [
        D(2026, 11, 24),
        D(2026, 11, 25),
        D(2026, 11, 26),
        D(2026, 11, 27),
        D(2026, 12, 4),
    ]
    assert DAYS_LEFT[-1] == D(2026, 12, 28)


def test_due_contacts_of_the_coming_week_become_routine_tasks(clock, grid_a, worker_a):
    enterprises = [EnterpriseFactory(grid=grid_a) for _ in range(21)]

    result = plan_run()

    assert result.replanned == 21
    tasks = _routine_tasks()
    # One contact per remaining day; the lead time (7 days) reaches 1 December.
    assert sorted(t.due_on for t in tasks) == DAYS_LEFT[:4]
    assert {t.assignee for t in tasks} == {worker_a}
    assert {(t.source, t.suggested_channel) for t in tasks} == {("plan", "phone")}
    assert EnterpriseOutreach.objects.filter(enterprise__in=enterprises).count() == 21


def test_the_load_is_spread_evenly_over_each_workers_days(clock, grid_a, worker_a):
    colleague = UserFactory(username="zhao_grid_a")
    colleague.groups.set([role_group(Role.GRID_WORKER)])
    grid_a.workers.add(colleague)
    enterprises = [EnterpriseFactory(grid=grid_a) for _ in range(84)]

    plan_run()

    plans = EnterpriseOutreach.objects.select_related("enterprise")
    per_worker_day = Counter(
        ([worker_a, colleague][0 if p.enterprise_id % 2 == 0 else 1].pk, p.next_due_on)
        for p in plans
        if p.enterprise in enterprises
    )
    # 42 enterprises each over 21 days: two a day for each worker, every day.
    assert set(per_worker_day.values()) == {2}
    assert len(per_worker_day) == 2 * 21
    assert {p.next_due_on for p in plans} == set(DAYS_LEFT)


def test_running_again_creates_nothing_twice(clock, grid_a, worker_a):
    for _ in range(21):
        EnterpriseFactory(grid=grid_a)
    first = plan_run()
    again = plan_run()

    assert first.tasks_created == 4
    assert (again.replanned, again.tasks_created) == (0, 0)
    assert _routine_tasks().count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_nothing_twice(grid_a, worker_a):
    for _ in range(21):
        EnterpriseFactory(grid=grid_a)
    results, errors = at_once(lambda: plan_run(today=TODAY))

    assert not errors
    assert sorted(r.tasks_created for r in results) == [0, 4]
    assert sorted(r.replanned for r in results) == [0, 21]
    assert _routine_tasks().count() == 4


def test_a_missed_run_catches_up(clock, grid_a, worker_a):
    for _ in range(21):
        EnterpriseFactory(grid=grid_a)
    plan_run()

    # The beat was down from 25 November to 10 December.
    clock.move_to(at(D(2026, 12, 10)))
    result = plan_run()

    # Everything due up to 17 December, including the days that passed without a run.
    assert result.tasks_created == 10
    due = sorted(t.due_on for t in _routine_tasks())
    assert due[:5] == DAYS_LEFT[:5]
    assert due[-1] == D(2026, 12, 17)
    assert D(2026, 12, 4) in due  # overdue now, but not skipped


def test_a_contact_made_this_period_is_due_next_period_and_makes_no_task_now(clock, enterprise_a):
    contact_attempt_record(
        enterprise=enterprise_a,
        channel=ContactAttempt.Channel.PHONE,
        outcome=ContactAttempt.Outcome.REACHED,
        occurred_at=at(D(2026, 11, 2)),
    )

    plan_run()

    assert not _routine_tasks().exists()
    assert EnterpriseOutreach.objects.get(enterprise=enterprise_a).next_due_on >= D(2027, 1, 4)


def test_a_key_enterprise_reached_is_due_next_quarter_a_general_one_next_half_year(clock):
    key = EnterpriseFactory(key_taxpayer=True)
    general = EnterpriseFactory()
    for enterprise in (key, general):
        contact_attempt_record(
            enterprise=enterprise,
            channel=ContactAttempt.Channel.VISIT,
            outcome=ContactAttempt.Outcome.REACHED,
        )
    # Both periods start on 1 January 2027; the key one ends with March, the other June.
    assert EnterpriseOutreach.objects.get(enterprise=key).next_due_on <= D(2027, 3, 28)
    assert EnterpriseOutreach.objects.get(enterprise=general).planned_months == 6

    clock.move_to(at(D(2027, 5, 11)))
    plan_run()
    assert EnterpriseOutreach.objects.get(enterprise=key).next_due_on >= D(2027, 5, 11)


def test_a_contact_at_half_past_midnight_on_new_years_day_belongs_to_the_new_year(clock):
    general = EnterpriseFactory()
    # 16:30 UTC on 31 December is 00:30 on 1 January 2027 in the park.
    clock.move_to(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC))
    contact_attempt_record(
        enterprise=general,
        channel=ContactAttempt.Channel.VISIT,
        outcome=ContactAttempt.Outcome.REACHED,
    )
    # Reached in the first half of 2027 (not the second of 2026): due in the second half.
    assert EnterpriseOutreach.objects.get(enterprise=general).next_due_on >= D(2027, 7, 1)
    plan_run()
    assert EnterpriseOutreach.objects.get(enterprise=general).next_due_on >= D(2027, 7, 1)
    assert not _routine_tasks().exists()


def test_an_enterprise_not_reached_in_a_period_is_planned_again_in_the_next(clock, enterprise_a):
    enterprise_a.key_taxpayer = True  # every quarter
    enterprise_a.save()
    clock.move_to(at(D(2026, 9, 10)))
    plan_run()
    task = _routine_tasks().get(enterprise=enterprise_a)
    task_close(task=task, note="could not reach them; the monitor takes over")

    clock.move_to(at(TODAY))
    plan_run()

    again = _routine_tasks().get(enterprise=enterprise_a)
    assert again.pk != task.pk and again.due_on == TODAY


def test_a_new_tier_or_a_new_policy_replans(clock, enterprise_a):
    plan_run()
    enterprise_a.marked_key = True
    enterprise_a.save()
    assert plan_run().replanned == 1
    assert EnterpriseOutreach.objects.get(enterprise=enterprise_a).planned_tier == "key"

    OutreachPolicy.objects.filter(tier="key").update(period_months=4)
    assert plan_run().replanned == 1
    assert EnterpriseOutreach.objects.get(enterprise=enterprise_a).planned_months == 4


def test_deregistered_enterprises_are_not_planned(clock, grid_a):
    EnterpriseFactory(grid=grid_a, status=Enterprise.Status.DEREGISTERED)
    assert plan_run().replanned == 0
    assert not Task.objects.exists()


def test_enterprises_without_a_grid_worker_go_to_the_staff_pool(clock):
    for _ in range(21):
        EnterpriseFactory(grid=GridAreaFactory())
        EnterpriseFactory(grid=None)
    plan_run()
    # The staff's pool is one worker's load: 42 contacts over 21 days, two a day.
    assert [t.assignee for t in _routine_tasks()] == [None] * 8


def test_the_plan_outreach_command_reports_what_it_did(clock, grid_a, worker_a):
    for _ in range(21):
        EnterpriseFactory(grid=grid_a)
    out = io.StringIO()
    call_command("plan_outreach", stdout=out)
    assert (
        "21 enterprises (re)planned, 4 contacts due, 4 routine tasks created, "
        "0 personal links sent." in out.getvalue()
    )
