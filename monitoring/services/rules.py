"""The rules that create work (自动触发规则), run set-based over the whole registry.

Each rule is one SQL condition (monitoring.sql.rules, each beside its reference version): the
enterprises for which it holds. A sweep then, per rule,
(1) opens one task for every enterprise where it holds and none is open — one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` against outreach's partial unique index
``task_one_open_per_enterprise_kind`` — and (2) closes the rule's open tasks where it no
longer holds — one ``UPDATE``. Deregistered enterprises are left out (their tasks close).

The sweep runs in one transaction under a transaction-level advisory lock: two beats, or a
manual run beside the beat, queue up and the second finds nothing to do, so running it twice
or twice at once has the effect of running it once.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from monitoring import kinds
from monitoring.models import RuleSettings
from monitoring.sql import rules as sql
from outreach.models import ContactAttempt
from outreach.sql.tasks import tasks_close_unless, tasks_open_where
from registry import annual_reports, clock

SWEEP_LOCK = "monitoring.rules.sweep"


@dataclass(frozen=True)
class Rule:
    kind: str
    # SQL selecting the enterprise ids (column "id") for which the rule holds, with
    # %(name)s parameters from ``rule_parameters`` (monitoring.sql.rules).
    condition: str
    suggested_channel: str = ""
    # Due the day it opens, not after the settings' days.
    urgent: bool = False
    # Steps aside for an open task of this kind on the same enterprise: its own open task
    # closes ("merged") and none opens, so one situation is one task.
    superseded_by: str = ""


def _condition(kind: str) -> str:
    return sql.CONDITIONS[kind][0]()


RULES = (
    # A number not in service for a week while a major change was made (002): one urgent
    # task, first, so the two rules below step aside for it.
    Rule(
        kinds.DEAD_NUMBER_MAJOR_CHANGE,
        _condition(kinds.DEAD_NUMBER_MAJOR_CHANGE),
        ContactAttempt.Channel.PHONE,
        urgent=True,
    ),
    # Liaison details neither updated nor verified since the cut-off.
    Rule(kinds.STALE_LIAISON, _condition(kinds.STALE_LIAISON), ContactAttempt.Channel.PHONE),
    # Both phones known and different.
    Rule(kinds.PHONE_MISMATCH, _condition(kinds.PHONE_MISMATCH), ContactAttempt.Channel.PHONE),
    # The current liaison's number reported not in service N days ago, nobody reached since.
    Rule(
        kinds.NOT_IN_SERVICE,
        _condition(kinds.NOT_IN_SERVICE),
        ContactAttempt.Channel.VISIT,
        superseded_by=kinds.DEAD_NUMBER_MAJOR_CHANGE,
    ),
    # Changes of liaison weighing N or more in the window (another province weighs more).
    Rule(kinds.FREQUENT_CHANGES, _condition(kinds.FREQUENT_CHANGES)),
    # A new legal representative, executives, business scope or address the current liaison
    # was not verified since.
    Rule(
        kinds.MAJOR_CHANGE,
        _condition(kinds.MAJOR_CHANGE),
        ContactAttempt.Channel.PHONE,
        superseded_by=kinds.DEAD_NUMBER_MAJOR_CHANGE,
    ),
    # A new beneficial owner or tax residency: compliance attention, until a person closes it.
    Rule(kinds.CONTROL_CHANGE, _condition(kinds.CONTROL_CHANGE)),
    # From 1 July, no annual report filed for the year before.
    Rule(kinds.ANNUAL_REPORT_MISSING, _condition(kinds.ANNUAL_REPORT_MISSING)),
)


def _notes() -> dict[str, str]:
    return {
        kinds.STALE_LIAISON: _(
            "The liaison's details have not been updated or verified for a long time: confirm them."
        ),
        kinds.PHONE_MISMATCH: _(
            "The annual-report phone differs from the registered phone: find out which is right."
        ),
        kinds.NOT_IN_SERVICE: _(
            "The liaison's number was reported not in service: find the liaison another way."
        ),
        kinds.FREQUENT_CHANGES: _(
            "The liaison changed several times within a year: check why (compliance attention)."
        ),
        kinds.MAJOR_CHANGE: _("The enterprise reported a major change: verify the liaison."),
        kinds.DEAD_NUMBER_MAJOR_CHANGE: _(
            "Urgent: the liaison's number has been out of service for a week while the "
            "enterprise made a major change (legal representative, executives, business scope "
            "or address). Call the legal representative's backup phone (on the enterprise "
            "page) to find out whether the liaison left, and have the new liaison update the "
            "registration."
        ),
        # Says *that* it changed, never the values: every role reads the task; those allowed
        # see the values on the enterprise page (each view logged).
        kinds.CONTROL_CHANGE: _(
            "The beneficial owner or the tax residency changed: control may have changed "
            "hands. Check the enterprise's compliance (compliance attention)."
        ),
        kinds.ANNUAL_REPORT_MISSING: _(
            "No annual report filed for last year by 30 June (企业信息公示暂行条例 art. 8). "
            "The registration authority, not the park, lists an enterprise as abnormal: remind "
            "the liaison to file it, then mark it filed on the enterprise page."
        ),
    }


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same wall-clock time on the same day ``months`` calendar months earlier in the
    park (the month's last day if shorter): the park's calendar, not UTC's."""
    local = clock.local(moment)
    day = clock.months_back(local.date(), months)
    return local.replace(year=day.year, month=day.month, day=day.day)


def rule_parameters(rules: RuleSettings, now: datetime.datetime) -> dict:
    """The conditions' parameters under the admins' thresholds, as of ``now``."""
    return {
        "stale_before": months_before(now, rules.stale_liaison_months),
        "reported_before": now - datetime.timedelta(days=rules.not_in_service_days),
        "successes": sorted(ContactAttempt.Outcome.successes()),
        "changes_since": months_before(now, rules.frequent_changes_months).date(),
        "now": now,
        "changes_count": rules.frequent_changes_count,
        "major_since": now - datetime.timedelta(days=rules.major_change_days),
        "dead_major_since": now - datetime.timedelta(days=rules.dead_number_major_days),
        "region_weight": rules.region_change_weight,
        **annual_report_parameters(clock.today(now)),
    }


def annual_report_parameters(today: datetime.date) -> dict:
    """Which year's report is due (the year before ``today``) and whether its deadline (30
    June, 企业信息公示暂行条例 art. 8) has passed."""
    year = annual_reports.due_year(today)
    return {
        "annual_report_year": year,
        "annual_report_year_end": annual_reports.asked_before(year),
        "annual_report_overdue": annual_reports.overdue(today),
        "today": today,
    }


@dataclass(frozen=True)
class RuleResult:
    kind: str
    opened: int
    closed: int


def rules_sweep(*, now: datetime.datetime | None = None) -> list[RuleResult]:
    """Run every rule over the whole registry: open what holds, close what cleared, as of
    ``now`` (default: the one clock)."""
    now = now or clock.now()
    results = []
    # Task notes are stored text: written in the park's language, not a request's.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        rule_settings = RuleSettings.current()
        base = rule_parameters(rule_settings, now)
        due_on = clock.today(now) + datetime.timedelta(days=rule_settings.task_due_days)
        closing = _("The rule's condition no longer holds.")
        merged = _("Merged into the urgent task: number not in service during a major change.")
        notes = _notes()
        with connection.cursor() as cursor:
            sql.sweep_begin(cursor, lock=SWEEP_LOCK)
            sql.mobile_regions_fill(cursor, base)
            for rule in RULES:
                sql.hold(cursor, rule.condition, base)
                closed = 0
                if rule.superseded_by:
                    closed = sql.hold_aside(
                        cursor,
                        kind=rule.kind,
                        superseded_by=rule.superseded_by,
                        now=now,
                        note=merged,
                    )
                closed += tasks_close_unless(
                    cursor, kind=rule.kind, holds=sql.HOLDS, now=now, note=closing
                )
                opened = tasks_open_where(
                    cursor,
                    kind=rule.kind,
                    holds=f"SELECT id FROM {sql.HOLDS}",
                    params={},
                    note=notes[rule.kind],
                    channel=rule.suggested_channel,
                    due_on=clock.today(now) if rule.urgent else due_on,
                    now=now,
                )
                results.append(RuleResult(rule.kind, opened=opened, closed=closed))
    return results
