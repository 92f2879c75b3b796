"""The outreach planner over the whole registry (100,000 enterprises): the set-based
plan_run against a naive per-enterprise ORM loop over a 2,000-enterprise sample,
extrapolated, measured in the same run."""

import datetime
import time
import zoneinfo

import pytest
import time_machine
from django.db import connection, transaction

from outreach import planner
from outreach.models import EnterpriseOutreach, Task
from outreach.selfservice.services import selfservice_link_send
from outreach.services import assignee_for, plan_run, policy_for, task_open
from registry.models import Enterprise, GridArea
from registry.roles import Role, role_group
from registry.workdays import WorkCalendar
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SAMPLE = 2_000
LINK_SAMPLE = 500


@pytest.fixture
def grid_workers():
    """Ten grid workers, two grids each (the bench registry has twenty)."""
    grids = list(GridArea.objects.filter(code__startswith="B").order_by("code"))
    for n in range(10):
        worker = UserFactory(username=f"bench_worker_{n}")
        worker.groups.set([role_group(Role.GRID_WORKER)])
        for grid in grids[2 * n : 2 * n + 2]:
            grid.workers.add(worker)


def _clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM outreach_task")
        cursor.execute("DELETE FROM outreach_enterpriseoutreach")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE outreach_outboxmessage, outreach_selfservicelink CASCADE")


def _naive_plan(enterprises) -> None:
    """What the planner would be as a per-enterprise loop through the ORM and the services:
    one policy, one assignee, one load query and one or two writes per enterprise."""
    horizon = TODAY + datetime.timedelta(days=7)
    calendar = WorkCalendar.load()
    for enterprise in enterprises:
        months = policy_for(enterprise.tier).period_months
        _start, days = planner.target_period(
            last_success=None, today=TODAY, months=months, calendar=calendar
        )
        assignee = assignee_for(enterprise)
        load = {
            row["next_due_on"]: 1
            for row in EnterpriseOutreach.objects.filter(
                next_due_on__in=days, enterprise__grid=enterprise.grid_id
            ).values("next_due_on")
        }
        plan, _created = EnterpriseOutreach.objects.update_or_create(
            enterprise=enterprise,
            defaults={
                "next_due_on": planner.least_loaded_day(days, load),
                "planned_tier": enterprise.tier,
                "planned_months": months,
            },
        )
        if plan.next_due_on <= horizon:
            task_open(
                enterprise=enterprise,
                kind=Task.Kind.ROUTINE,
                source=Task.Source.PLAN,
                due_on=plan.next_due_on,
                assignee=assignee,
            )


def test_plan_run_over_the_whole_registry(grid_workers):
    total = Enterprise.objects.exclude(status="deregistered").count()
    _clear()

    started = time.perf_counter()
    first = plan_run(today=TODAY)
    first_s = time.perf_counter() - started

    started = time.perf_counter()
    again = plan_run(today=TODAY)
    again_s = time.perf_counter() - started

    _clear()
    sample = list(Enterprise.objects.order_by("pk")[:SAMPLE])
    started = time.perf_counter()
    with transaction.atomic():
        _naive_plan(sample)
    naive_s = (time.perf_counter() - started) * total / SAMPLE

    # The light touch on a contact day at 10:00: the second run of the day sends the links
    # of every general enterprise due after the task horizon and within 14 days.
    _clear()
    plan_run(today=TODAY)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)):
        started = time.perf_counter()
        touch = plan_run(today=TODAY)
        touch_s = time.perf_counter() - started
        started = time.perf_counter()
        touch_again = plan_run(today=TODAY)
        touch_again_s = time.perf_counter() - started

    assert first.replanned == total
    assert again.tasks_created == 0 and again.replanned == 0
    assert touch.links_sent > 0 and touch_again.links_sent == 0
    print(
        f"\nOutreach planner over {total:,} enterprises\n"
        f"  plan_run, everything to plan:  {first_s:8.2f} s "
        f"({first.replanned:,} planned, {first.tasks_created:,} routine tasks)\n"
        f"  plan_run, nothing new (daily): {again_s:8.2f} s\n"
        f"  baseline: per-enterprise ORM loop, {SAMPLE:,} measured, extrapolated: "
        f"{naive_s:8.2f} s\n"
        f"  ratio baseline/plan_run: {naive_s / first_s:.0f}x"
    )
    # Baseline for the light touch: the same links sent one by one through the service
    # (lock, supersede, insert, message), a sample measured and extrapolated.
    sample_links = list(Enterprise.objects.order_by("pk")[:LINK_SAMPLE])
    started = time.perf_counter()
    with transaction.atomic():
        for enterprise in sample_links:
            selfservice_link_send(enterprise=enterprise, by=None)
        transaction.set_rollback(True)
    one_by_one_s = (time.perf_counter() - started) * touch.links_sent / LINK_SAMPLE
    print(
        f"\nOutreach plan's light touch (personal links by SMS) over {total:,} enterprises\n"
        f"  plan_run sending {touch.links_sent:,} links: {touch_s:8.2f} s\n"
        f"  plan_run again, nothing to send: {touch_again_s:8.2f} s\n"
        f"  baseline: selfservice_link_send per enterprise, {LINK_SAMPLE} measured, "
        f"extrapolated: {one_by_one_s:8.2f} s\n"
        f"  ratio baseline/plan_run: {one_by_one_s / touch_s:.0f}x"
    )
