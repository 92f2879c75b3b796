"""The outreach plan: each enterprise's next due contact, and the routine tasks made of them.

Two writers keep ``EnterpriseOutreach.next_due_on``:

- ``enterprise_reached`` (one enterprise, when an attempt reaches its liaison): the next
  period's least-loaded contact day of the enterprise's worker;
- ``plan_run`` (the whole registry, Celery beat, set-based): first (re)plans the enterprises
  that have no plan yet, changed tier, whose tier's policy changed, or whose due date fell in
  a period that is over; then turns every due contact up to ``OUTREACH_TASK_LEAD_DAYS`` ahead
  into a routine task. Due dates in the past (missed runs) are caught up, not skipped.

``plan_run`` holds a transaction-level advisory lock, and its inserts go through
``ON CONFLICT … DO NOTHING`` against the open-task index, so two runs at once (two beats,
a manual run beside the beat) create nothing twice. The statements: outreach.sql.plan.

The light touch (轻触达): before all that, on a contact day, ``plan_run`` sends a personal
link by SMS to the liaisons whose contact is due within their tier's ``link_days_ahead``
(but after the task lead time), once per due date (``link_sent_for``), where the liaison has
a mobile and no usable link already; the SMS waits in the outbox until 15:00. A
confirmation through the link is a reached contact, which re-plans the enterprise into the
next period, so its routine task is never created; otherwise the task comes as usual.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from outreach import planner
from outreach.messaging import window
from outreach.messaging.bulk import outbox_write_bulk
from outreach.messaging.models import Channel, MessageTemplate
from outreach.messaging.rendering import placeholders_in
from outreach.models import ContactAttempt, EnterpriseOutreach, OutreachPolicy
from outreach.services.tasks import assignee_for
from outreach.sql import plan as plan_sql
from registry import clock
from registry.models import Enterprise
from registry.workdays import WorkCalendar

logger = logging.getLogger(__name__)

DEFAULT_POLICIES = {
    Enterprise.Tier.KEY: {
        "period_months": 3,
        "routine_channel": ContactAttempt.Channel.VISIT,
        "link_days_ahead": 0,  # a key enterprise's quarterly visit is not replaced by an SMS
    },
    Enterprise.Tier.GENERAL: {
        "period_months": 6,
        "routine_channel": ContactAttempt.Channel.PHONE,
        "link_days_ahead": 14,  # a confirmed link is the "simple confirmation" a call gives
    },
}
# The light touch's SMS: the self-service link template (admins edit its text).
LINK_TEMPLATE = "self-service-link-sms"
# The practice: liaisons answer best around 15:00 (the sending window's preferred time,
# settings.CAMPAIGN_WINDOW_PREFERRED). Links planned at night wait until then; a run after
# 17:00 leaves them to the next contact day's run.
LINK_SEND_UNTIL = datetime.time(17, 0)


def lead_days() -> int:
    return int(getattr(settings, "OUTREACH_TASK_LEAD_DAYS", 7))


def policy_for(tier: str) -> OutreachPolicy:
    policy = OutreachPolicy.objects.filter(tier=tier).first()
    return policy or OutreachPolicy(tier=tier, **DEFAULT_POLICIES[Enterprise.Tier(tier)])


@dataclass(frozen=True)
class PlanResult:
    replanned: int
    tasks_created: int
    due: int  # contacts that came due in this run (some may already have had an open task)
    links_sent: int = 0  # the light touch: personal links sent by SMS in this run


def _tier_plan(tier: str, today: datetime.date, calendar: WorkCalendar) -> plan_sql.TierPlan:
    """(tier, months, current period start, days for 'current', days for 'next')."""
    months = policy_for(tier).period_months
    current = planner.period_start(today, months)
    _start, current_days = planner.target_period(
        last_success=None, today=today, months=months, calendar=calendar
    )
    next_start = planner.next_period_start(current, months)
    next_days = planner.period_contact_days(next_start, months, calendar=calendar)
    return tier, months, current, current_days, next_days


def tier_plans(*, today: datetime.date, calendar: WorkCalendar) -> list[plan_sql.TierPlan]:
    """Each tier's policy as of ``today``: what the re-plan spreads its due dates over."""
    return [_tier_plan(tier, today, calendar) for tier in Enterprise.Tier.values]


def _link_send_at(
    today: datetime.date, calendar: WorkCalendar, now: datetime.datetime
) -> datetime.datetime | None:
    """When the light touch's SMS of a run on ``today`` go out, or None when this run sends
    none: not on a day a liaison is not contacted (weekend, holiday, a month's edges), not
    for a day other than ``now``'s, not late in the day."""
    if not planner.is_contact_day(today, calendar=calendar):
        return None
    local = clock.local(now)
    if local.date() != today or local.time() >= LINK_SEND_UNTIL:
        return None
    return max(local, timezone.make_aware(datetime.datetime.combine(today, window.preferred())))


def _light_touch_links(
    cursor,
    *,
    now: datetime.datetime,
    today: datetime.date,
    horizon: datetime.date,
    calendar: WorkCalendar,
) -> int:
    """Mark the due dates the links are for (outreach.sql.plan.link_candidates_mark), then
    write the links and their SMS in one bulk statement (outreach.messaging.bulk): two
    statements whatever the count."""
    send_at = _link_send_at(today, calendar, now)
    days = {tier: policy_for(tier).link_days_ahead for tier in Enterprise.Tier.values}
    if send_at is None or not any(days.values()):
        return 0
    template = MessageTemplate.objects.filter(key=LINK_TEMPLATE).first()
    if (
        template is None
        or template.channel != Channel.SMS
        or "link" not in placeholders_in(template.body)
    ):
        logger.warning("outreach plan: template %s has no {{ link }}: no links sent", LINK_TEMPLATE)
        return 0
    ids = plan_sql.link_candidates_mark(
        cursor, days_ahead=days, today=today, horizon=horizon, now=now
    )
    if not ids:
        return 0
    created, _queued = outbox_write_bulk(
        enterprises=("SELECT unnest(%s::bigint[])", [ids]),
        channel=Channel.SMS,
        subject="",
        body=template.body,
        purpose="self-service-link",
        by_id=None,
        template_id=template.pk,
        send_at=send_at,
        now=now,
    )
    return created


def plan_run(
    *,
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
    calendar: WorkCalendar | None = None,
) -> PlanResult:
    """Send the light touch's links, re-plan what needs it and create the routine tasks that
    are due (see module doc), as of ``now`` (default: the one clock); ``today`` (default:
    ``now``'s date in the park) plans for another day, and then sends no links. The
    working-day calendar is read once, here, unless given."""
    now = now or clock.now()
    today = today or clock.today(now)
    calendar = calendar or WorkCalendar.load()
    plans = tier_plans(today=today, calendar=calendar)
    horizon = today + datetime.timedelta(days=lead_days())
    with transaction.atomic(), connection.cursor() as cursor:
        plan_sql.lock(cursor)
        # First: it locks enterprises before their plan rows, as a contact being logged does;
        # after the re-plan below (plan rows first) that order would be reversed.
        links_sent = _light_touch_links(
            cursor, now=now, today=today, horizon=horizon, calendar=calendar
        )
        replanned = plan_sql.replan(cursor, plans=plans, now=now, time_zone=settings.TIME_ZONE)
        due, created = plan_sql.routine_tasks_create(cursor, now=now, horizon=horizon)
    # No delivery kick: the links' SMS wait until 15:00, when the outbox's minute sweep
    # sends them.
    return PlanResult(replanned=replanned, tasks_created=created, due=due, links_sent=links_sent)


def _day_load(*, enterprise: Enterprise, first: datetime.date, last: datetime.date) -> dict:
    """How many contacts the enterprise's worker (or the staff pool) already has planned on
    each day from ``first`` to ``last``."""
    assignee = assignee_for(enterprise)
    with connection.cursor() as cursor:
        return plan_sql.day_load(
            cursor, first=first, last=last, assignee_id=assignee.pk if assignee else None
        )


def enterprise_reached(
    *,
    enterprise: Enterprise,
    at: datetime.datetime,
    today: datetime.date | None = None,
    calendar: WorkCalendar | None = None,
) -> EnterpriseOutreach:
    """The liaison was reached at ``at``: plan the next contact in the tier's next period.

    An older contact logged late does not move the plan back. Runs inside the caller's
    transaction (contact_attempt_record holds the enterprise's lock). The working-day
    calendar is read here unless the caller passes one it loaded for a whole run.
    """
    plan = EnterpriseOutreach.objects.select_for_update().filter(pk=enterprise.pk).first()
    if plan is not None and plan.last_success_at and plan.last_success_at >= at:
        return plan
    tier = enterprise.tier
    months = policy_for(tier).period_months
    _start, days = planner.target_period(
        last_success=clock.local(at).date(),
        today=today or clock.today(),
        months=months,
        calendar=calendar or WorkCalendar.load(),
    )
    load = _day_load(enterprise=enterprise, first=days[0], last=days[-1])
    plan = plan or EnterpriseOutreach(enterprise=enterprise)
    plan.last_success_at = at
    plan.next_due_on = planner.least_loaded_day(days, load)
    plan.planned_tier = tier
    plan.planned_months = months
    plan.task_created = False
    plan.save()
    return plan
