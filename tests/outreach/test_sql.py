"""Outreach's set-based statements (outreach/sql/) against their reference versions on a small
park: who gets which worker, the plan's re-plan, its routine tasks, the light touch's
choice of links, a worker's load per day, and tasks opened and closed for a query's
enterprises."""

import datetime

import pytest
from django.conf import settings
from django.db import connection

from outreach.models import EnterpriseOutreach, OutreachPolicy, Task
from outreach.selfservice.services import selfservice_link_send
from outreach.services import plan
from outreach.sql import tasks as task_sql
from outreach.sql.plan import (
    day_load,
    day_load_reference,
    link_candidates_mark,
    link_candidates_reference,
    replan,
    replan_reference,
    routine_tasks_create,
    routine_tasks_reference,
)
from registry.models import Enterprise
from registry.roles import Role, role_group
from registry.sql import Table
from registry.sql.fragments import grid_workers_cte
from registry.workdays import WorkCalendar
from tests.factories import EnterpriseFactory, LiaisonFactory, UserFactory
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_park(grid_a, grid_b, worker_a):
    """Grid A with one worker, grid B with two (one inactive makes three), enterprises
    without a grid, a key one, a deregistered one, some planned already."""
    for n, active in ((1, True), (2, True), (3, False)):
        worker = UserFactory(username=f"b_worker_{n}", is_active=active)
        worker.groups.set([role_group(Role.GRID_WORKER)])
        grid_b.workers.add(worker)
    made = []
    for n in range(12):
        grid = (grid_a, grid_b, None)[n % 3]
        enterprise = EnterpriseFactory(
            grid=grid, key_taxpayer=n % 4 == 0, marked_key=n == 5, name=f"企业{n}"
        )
        if n != 7:
            LiaisonFactory(enterprise=enterprise, mobile="" if n == 8 else f"1391234{n:04d}")
        made.append(enterprise)
    Enterprise.objects.filter(pk=made[11].pk).update(status=Enterprise.Status.DEREGISTERED)
    # Planned already: one still right, one in a period that is over, one reached this period.
    EnterpriseOutreach.objects.create(
        enterprise=made[1],
        next_due_on=TODAY + datetime.timedelta(days=10),
        planned_tier="general",
        planned_months=6,
    )
    EnterpriseOutreach.objects.create(
        enterprise=made[2],
        next_due_on=datetime.date(2026, 3, 2),
        planned_tier="general",
        planned_months=6,
    )
    EnterpriseOutreach.objects.create(
        enterprise=made[3],
        next_due_on=None,
        last_success_at=at(datetime.date(2026, 11, 3)),
        planned_tier="general",
        planned_months=6,
    )
    return made


def _replan() -> None:
    """Plan the park as plan_run would, without its light touch."""
    plans = plan.tier_plans(today=TODAY, calendar=WorkCalendar.load())
    with connection.cursor() as cursor:
        replan(cursor, plans=plans, now=at(TODAY), time_zone=settings.TIME_ZONE)


def _sql_assignees() -> dict[int, int | None]:
    e = Table(Enterprise, "e")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {grid_workers_cte()} SELECT {e.id}, {task_sql.assignee_sql(e.id)} FROM {e} "
            f"LEFT JOIN workers w ON w.gridarea_id = {e.grid}",
            [],
        )
        return dict(cursor.fetchall())


def test_each_enterprise_goes_to_the_worker_its_reference_names(small_park):
    expected = {
        e.pk: getattr(task_sql.assignee_reference(e), "pk", None) for e in Enterprise.objects.all()
    }
    assert _sql_assignees() == expected
    assert len({v for v in expected.values() if v}) == 3  # grid A's one, grid B's two active


def test_the_replan_writes_what_its_reference_plans(clock, small_park):
    plans = plan.tier_plans(today=TODAY, calendar=WorkCalendar.load())
    expected = replan_reference(plans=plans)
    with connection.cursor() as cursor:
        count = replan(cursor, plans=plans, now=at(TODAY), time_zone=settings.TIME_ZONE)
    written = {
        p.enterprise_id: (p.next_due_on, p.planned_tier, p.planned_months)
        for p in EnterpriseOutreach.objects.filter(pk__in=expected)
    }
    assert written == expected
    assert count == len(expected) == 10  # all but the one still right and the deregistered
    assert {tier for _day, tier, _months in expected.values()} == {"key", "general"}


def test_the_routine_tasks_are_those_of_the_reference(clock, small_park):
    _replan()
    Task.objects.create(
        enterprise=small_park[0], kind=Task.Kind.ROUTINE, source=Task.Source.PLAN, due_on=TODAY
    )
    before = set(Task.objects.values_list("pk", flat=True))
    horizon = TODAY + datetime.timedelta(days=60)
    expected = routine_tasks_reference(horizon=horizon)
    with connection.cursor() as cursor:
        due, created = routine_tasks_create(cursor, now=at(TODAY), horizon=horizon)
    opened = {
        t.enterprise_id: (t.due_on, t.assignee_id, t.suggested_channel)
        for t in Task.objects.exclude(pk__in=before)
    }
    assert opened == {pk: task for pk, task in expected.items() if task is not None}
    assert (due, created) == (len(expected), len(opened))
    assert created and expected[small_park[0].pk] is None  # the key one's task was open


def test_the_light_touch_chooses_the_links_its_reference_chooses(clock, small_park):
    _replan()
    due = TODAY + datetime.timedelta(days=10)
    EnterpriseOutreach.objects.update(task_created=False, next_due_on=due)
    EnterpriseOutreach.objects.filter(enterprise=small_park[1]).update(link_sent_for=due)
    selfservice_link_send(enterprise=small_park[6], by=None)
    days_ahead = dict(OutreachPolicy.objects.values_list("tier", "link_days_ahead"))
    arguments = {
        "days_ahead": days_ahead,
        "today": TODAY,
        "horizon": TODAY + datetime.timedelta(days=7),
        "now": at(TODAY),
    }
    expected = link_candidates_reference(**arguments)
    with connection.cursor() as cursor:
        assert set(link_candidates_mark(cursor, **arguments)) == expected
    assert small_park[2].pk in expected  # general, with a mobile, nothing sent yet
    assert not expected & {small_park[1].pk, small_park[6].pk, small_park[0].pk}


def test_a_workers_load_per_day_is_that_of_the_reference(clock, small_park):
    _replan()
    first, last = TODAY, TODAY + datetime.timedelta(days=200)
    assignees = {*_sql_assignees().values()}
    loads = []
    for assignee_id in assignees:
        expected = day_load_reference(first=first, last=last, assignee_id=assignee_id)
        with connection.cursor() as cursor:
            assert day_load(cursor, first=first, last=last, assignee_id=assignee_id) == expected
        loads.append(expected)
    assert all(loads) and None in assignees


def test_tasks_open_and_close_for_a_querys_enterprises_as_their_references_say(
    clock, small_park, staff_user
):
    e = Table(Enterprise)
    task_open = Task.Kind.INFO_CHECK
    Task.objects.create(
        enterprise=small_park[0], kind=task_open, source=Task.Source.MANUAL, due_on=TODAY
    )
    before = set(Task.objects.values_list("pk", flat=True))
    expected = task_sql.tasks_open_reference(Enterprise.objects.all(), kind=task_open)
    with connection.cursor() as cursor:
        opened = task_sql.tasks_open_where(
            cursor,
            kind=task_open,
            holds=f"SELECT {e.id} FROM {e}",
            params={},
            note="核对",
            due_on=TODAY,
            now=at(TODAY),
        )
    made = Task.objects.exclude(pk__in=before)
    assert {t.enterprise_id: t.assignee_id for t in made} == expected
    assert opened == len(expected) == 10  # not the deregistered one, not the one open

    held = {small_park[1].pk, small_park[2].pk}
    closing = task_sql.tasks_close_unless_reference(kind=task_open, held=held)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE held (id bigint PRIMARY KEY)")
        cursor.execute("INSERT INTO held SELECT unnest(%s::bigint[])", [list(held)])
        closed = task_sql.tasks_close_unless(
            cursor, kind=task_open, holds="held", now=at(TODAY), note="不再成立"
        )
        cursor.execute("DROP TABLE held")
    assert closed == len(closing) == 9
    assert set(Task.objects.filter(pk__in=closing, status=Task.Status.DONE)) == set(
        Task.objects.filter(pk__in=closing)
    )


def test_the_welcome_claims_whom_the_reference_says(grid_a, staff_user):
    """Current liaisons never welcomed are claimed; an ended one, one already welcomed and
    an id that is no liaison are not."""
    from outreach.selfservice.welcome import liaisons_welcome
    from outreach.sql.welcome import welcomes_claim, welcomes_reference
    from registry import clock
    from registry.models import Liaison
    from tests.factories import EnterpriseFactory, LiaisonFactory

    current = [LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a)) for _ in range(4)]
    ended = LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a))
    Liaison.objects.filter(pk=ended.pk).update(ended_on=ended.started_on)
    liaisons_welcome(liaison_ids=[current[0].pk], door="staff", by=staff_user)
    ids = [liaison.pk for liaison in current] + [ended.pk, 10**9]

    expected = welcomes_reference(ids)
    with connection.cursor() as cursor:
        claimed = welcomes_claim(cursor, liaison_ids=ids, door="import", now=clock.now())
    assert {liaison for liaison, _enterprise in claimed} == expected
    assert expected == {liaison.pk for liaison in current[1:]}


def test_the_recognition_proposal_says_what_the_reference_says(staff_user):
    """A park of liaisons with every mix of the rules (key and general tiers, verified or
    not per period, streaks, staff and self-service changes in and out of the year, stale
    details, started late or ended), with and without the event rule."""
    import time_machine

    from outreach.models import ContactAttempt
    from outreach.recognition.services import months_by_tier
    from outreach.sql.recognition import proposal, proposal_reference
    from registry.models import Door, Liaison
    from registry.services import liaison_update
    from tests.factories import EnterpriseFactory, LiaisonFactory

    year = 2026
    outcomes = [o.value for o in ContactAttempt.Outcome]
    made = []
    for n in range(24):
        enterprise = EnterpriseFactory(key_taxpayer=n % 3 == 0, name=f"企业{n}")
        started = datetime.date(year, 3, 1) if n % 7 == 6 else datetime.date(year - 1, 5, 1)
        liaison = LiaisonFactory(enterprise=enterprise, started_on=started)
        made.append(liaison)
        for k in range(n % 6 + 1):
            day = datetime.date(year, 1 + (n * 5 + k * 3) % 12, 1 + k)
            ContactAttempt.objects.create(
                enterprise=enterprise,
                liaison=liaison,
                channel="phone",
                outcome=outcomes[(n + k) % len(outcomes)] if k % 2 else "reached",
                verified=k % 2 == 0,
                occurred_at=at(day),
            )
        if n % 5 == 1:
            when = datetime.date(year if n % 2 else year - 1, 6, 1)
            door = Door.STAFF if n % 3 else Door.SELF_SERVICE
            with time_machine.travel(at(when), tick=False):
                liaison_update(liaison=liaison, by=staff_user, door=door, position=f"职务{n}")
    Liaison.objects.filter(pk=made[4].pk).update(ended_on=datetime.date(year, 8, 1))
    tiers = months_by_tier()
    for attended in (None, {made[0].pk, made[3].pk}):
        expected = proposal_reference(year=year, months_by_tier=tiers, attended=attended)
        with connection.cursor() as cursor:
            got = proposal(cursor, year=year, months_by_tier=tiers, attended=attended)
        assert got == expected
        assert len(got) == 23
        seen = {reason for _l, _e, reasons in got for reason in reasons}
        assert seen >= {"partial_year", "unverified_period", "failed_streak", "staff_correction"}
        assert seen >= {"unreported_change"} and (attended is None or "no_event" in seen)
