"""The demo park's year of outreach: contact history, plans and open tasks for every grid
worker (and the staff's pool), so `make run` shows a living workload.

A step of registry.demo.seed_demo (registered in OutreachConfig.ready); written in bulk
(bulk_create, then the set-based planner), not through the per-attempt service.
"""

import datetime
import random

from django.utils import timezone

from outreach import planner
from outreach.models import ContactAttempt, EnterpriseOutreach, Task
from outreach.services.plan import plan_run, policy_for
from registry import clock
from registry.models import Enterprise, Liaison
from registry.roles import Role, user_role
from registry.workdays import WorkCalendar

Channel = ContactAttempt.Channel
Outcome = ContactAttempt.Outcome
FAILURES = [
    Outcome.NO_ANSWER,
    Outcome.NO_ANSWER,
    Outcome.BUSY,
    Outcome.NOT_IN_SERVICE,
    Outcome.WRONG_PERSON,
    Outcome.BOUNCED,
]
NOTES_REACHED = [
    "已核实联系方式，介绍了园区最新扶持政策。",
    "联络员信息无变化，提醒如有离职请及时告知。",
    "邀请参加下月财税培训，对方表示会参加。",
    "走访座谈，了解企业用工需求。",
    "",
]
NOTES_FAILED = ["无人接听，稍后再试。", "对方忙，约定改日联系。", "", ""]


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    # Mostly in the afternoon, around 15:00, as the practice recommends.
    hour = rng.choice([9, 10, 14, 15, 15, 15, 16])
    naive = datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60)))
    return timezone.make_aware(naive)


def _history(
    rng, enterprise, liaison, by, today, calendar: WorkCalendar
) -> tuple[list[ContactAttempt], object]:
    """One contact per period over the past year; some needed several tries, some failed."""
    policy = policy_for(enterprise.tier)
    months = policy.period_months
    attempts, last_success = [], None
    start = planner.period_start(today - datetime.timedelta(days=365), months)
    while start <= today:
        end = min(planner.period_end(start, months), today - datetime.timedelta(days=1))
        days = planner.contact_days(
            max(start, today - datetime.timedelta(days=365)), end, calendar=calendar
        )
        start = planner.next_period_start(start, months)
        if not days or rng.random() < 0.15:
            continue  # not contacted in this period
        day = rng.choice(days)
        tries = rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
        reached = rng.random() < 0.88
        for attempt_no in range(tries):
            last_try = attempt_no == tries - 1
            outcome = Outcome.REACHED if reached and last_try else rng.choice(FAILURES)
            at = _moment(rng, day + datetime.timedelta(days=2 * attempt_no))
            if at.date() >= today:
                break
            channel = (
                policy.routine_channel
                if rng.random() < 0.6
                else rng.choice([Channel.PHONE, Channel.WECHAT, Channel.PHONE])
            )
            if outcome == Outcome.BOUNCED:
                channel = Channel.SMS
            attempts.append(
                ContactAttempt(
                    enterprise=enterprise,
                    liaison=liaison,
                    channel=channel,
                    outcome=outcome,
                    occurred_at=at,
                    note=rng.choice(NOTES_REACHED if outcome == Outcome.REACHED else NOTES_FAILED),
                    verified=outcome == Outcome.REACHED and rng.random() < 0.6,
                    by=by,
                )
            )
            if outcome == Outcome.REACHED:
                last_success = at
    return attempts, last_success


def seed_outreach_history(*, rng: random.Random, users: dict) -> None:
    today = clock.today()
    staff = users.get("staff")
    workers_by_grid: dict[int, list] = {}
    for user in users.values():
        if user_role(user) == Role.GRID_WORKER:
            for grid in user.grid_areas.all():
                workers_by_grid.setdefault(grid.pk, []).append(user)
    enterprises = (
        Enterprise.objects.exclude(status=Enterprise.Status.DEREGISTERED)
        .filter(contact_attempts__isnull=True)
        .order_by("pk")
    )
    liaisons = {
        liaison.enterprise_id: liaison
        for liaison in Liaison.objects.filter(ended_on__isnull=True, enterprise__in=enterprises)
    }
    attempts, plans = [], []
    calendar = WorkCalendar.load()
    for enterprise in enterprises:
        workers = sorted(workers_by_grid.get(enterprise.grid_id, []), key=lambda u: u.pk)
        by = workers[enterprise.pk % len(workers)] if workers else staff
        history, last_success = _history(
            rng, enterprise, liaisons.get(enterprise.pk), by, today, calendar
        )
        attempts += history
        plans.append(
            EnterpriseOutreach(
                enterprise=enterprise,
                last_success_at=last_success,
                next_due_on=None,  # planned below by the set-based planner
                planned_tier=enterprise.tier,
                planned_months=policy_for(enterprise.tier).period_months,
            )
        )
    ContactAttempt.objects.bulk_create(attempts, batch_size=2000)
    EnterpriseOutreach.objects.bulk_create(plans, batch_size=2000, ignore_conflicts=True)
    plan_run(today=today, calendar=calendar)
    _missed_and_rule_tasks(rng, today)


def _missed_and_rule_tasks(rng: random.Random, today: datetime.date) -> None:
    """A living workload also has work left over: for every worker (and the staff's pool)
    some routine tasks were not done in time, and some enterprises need a re-check call
    after two failed attempts."""
    by_assignee: dict = {}
    for task in Task.objects.filter(kind=Task.Kind.ROUTINE, status=Task.Status.OPEN):
        by_assignee.setdefault(task.assignee_id, []).append(task)
    missed, rechecks = [], []
    for tasks in by_assignee.values():
        rng.shuffle(tasks)
        late = tasks[: max(1, len(tasks) // 3)]
        for task in late:
            task.due_on = today - datetime.timedelta(days=rng.randrange(1, 20))
        missed += late
        for task in tasks[len(late) : len(late) + max(1, len(tasks) // 4)]:
            rechecks.append(
                Task(
                    enterprise_id=task.enterprise_id,
                    kind=Task.Kind.RECHECK_CALL,
                    source=Task.Source.RULE,
                    assignee_id=task.assignee_id,
                    due_on=today + datetime.timedelta(days=rng.randrange(-3, 3)),
                    suggested_channel=ContactAttempt.Channel.PHONE,
                    note="连续两次未联系上，请外呼复核。",
                )
            )
    Task.objects.bulk_update(missed, ["due_on"])  # a few dozen rows of a demo
    Task.objects.bulk_create(rechecks, ignore_conflicts=True)
