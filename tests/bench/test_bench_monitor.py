"""The monitor over the whole registry: 100,000 enterprises with 1,000,000 contact attempts,
the light counting occasions with the default window (4 hours: redials within it are one).

Prints a full rules sweep and a full light recompute, each beside a baseline measured in the
same run: the same work as a per-enterprise ORM loop over a 2,000-enterprise sample,
extrapolated."""

import datetime
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from monitoring import kinds
from monitoring.light import Attempt, replay
from monitoring.models import ContactHealth, RuleSettings
from monitoring.services import health_recompute_all, rules_sweep
from monitoring.services.rules import rule_parameters
from monitoring.sql import rules as rules_sql
from outreach.models import ContactAttempt
from outreach.services import task_open
from registry.models import Enterprise, Liaison

pytestmark = pytest.mark.django_db

ATTEMPTS_PER_ENTERPRISE = 10
SAMPLE = 2_000

# Ten attempts per enterprise over the last year; outcomes spread so that about a tenth of
# the park ends yellow or red; some numbers not in service; some phones that differ; some
# liaisons not verified for a long time; every enterprise registered two years ago, nine in
# ten with last year's annual report filed; one in fifty with a new business scope (some of
# them with a dead number too), one in two hundred with a new beneficial owner.
_SEED_SQL = """
SET LOCAL session_replication_role = replica;
INSERT INTO outreach_contactattempt (
    enterprise_id, liaison_id, channel, outcome, occurred_at, note, verified, created_at)
SELECT e.id, l.id,
       (ARRAY['phone','wechat','visit','letter'])[1 + (e.id + k) % 4],
       CASE WHEN (e.id * 7 + k * 13) % 10 < 6 - (CASE WHEN e.id % 10 = 0 THEN 6 ELSE 0 END)
            THEN 'reached'
            WHEN (e.id + k) % 17 = 0 THEN 'not_in_service'
            ELSE 'no_answer' END,
       now() - make_interval(days => 365 - k * 36, hours => (e.id % 24)::int),
       '', false, now()
FROM registry_enterprise e
JOIN registry_liaison l ON l.enterprise_id = e.id AND l.ended_on IS NULL
CROSS JOIN generate_series(0, {per} - 1) k;
UPDATE registry_enterprise SET annual_report_phone = '021-' || (60000000 + id)::text
WHERE id % 20 = 0;
UPDATE registry_liaison SET updated_at = now() - interval '300 days' WHERE id % 7 = 0;
UPDATE registry_enterprise SET created_at = now() - interval '2 years';
DELETE FROM registry_annualreport;
INSERT INTO registry_annualreport (enterprise_id, year, filed, updated_at)
SELECT id, extract(year FROM now())::int - 1, true, now() FROM registry_enterprise
WHERE id % 10 <> 0;
ANALYZE registry_annualreport;
SET LOCAL session_replication_role = origin;
UPDATE registry_enterprise SET business_scope = '技术开发' WHERE id % 50 = 0;
UPDATE registry_enterprise SET business_scope = '技术开发；技术服务' WHERE id % 50 = 0;
UPDATE registry_enterprise SET beneficial_owner = '某甲' WHERE id % 200 = 1;
UPDATE registry_enterprise SET beneficial_owner = '某乙' WHERE id % 200 = 1;
SET LOCAL session_replication_role = replica;
ANALYZE registry_enterpriseevent;
"""


WINDOW_HOURS = 4


@pytest.fixture
def attempts(settings):
    settings.MONITOR_OCCASION_WINDOW_HOURS = WINDOW_HOURS
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM outreach_contactattempt")
        cursor.execute(_SEED_SQL.replace("{per}", str(ATTEMPTS_PER_ENTERPRISE)))
        cursor.execute("ANALYZE outreach_contactattempt")
        cursor.execute("SELECT count(*) FROM outreach_contactattempt")
        return cursor.fetchone()[0]


def _naive_rules(enterprises, now) -> None:
    """Each rule as a per-enterprise loop through the ORM and the services."""
    stale_before = now - datetime.timedelta(days=182)
    for enterprise in enterprises:
        liaison = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
        if liaison and max(filter(None, [liaison.last_verified_at, liaison.updated_at])) < (
            stale_before
        ):
            task_open(enterprise=enterprise, kind=kinds.STALE_LIAISON, source="rule")
        if (
            enterprise.annual_report_phone
            and enterprise.registered_phone
            and enterprise.annual_report_phone != enterprise.registered_phone
        ):
            task_open(enterprise=enterprise, kind=kinds.PHONE_MISMATCH, source="rule")
        last_ok = (
            ContactAttempt.objects.filter(enterprise=enterprise, outcome="reached")
            .order_by("-occurred_at")
            .first()
        )
        dead = ContactAttempt.objects.filter(
            enterprise=enterprise,
            outcome="not_in_service",
            occurred_at__lte=now - datetime.timedelta(days=7),
        )
        if last_ok:
            dead = dead.filter(occurred_at__gt=last_ok.occurred_at)
        if dead.exists():
            task_open(enterprise=enterprise, kind=kinds.NOT_IN_SERVICE, source="rule")
        Liaison.objects.filter(enterprise=enterprise).count()


def _naive_recompute(enterprises) -> None:
    """Replay each enterprise's history in Python and store it row by row."""
    for enterprise in enterprises:
        history = [
            Attempt(at=at, reached=outcome == "reached", channel=channel)
            for at, outcome, channel in ContactAttempt.objects.filter(enterprise=enterprise)
            .order_by("occurred_at", "id")
            .values_list("occurred_at", "outcome", "channel")
        ]
        health, _changes = replay(history, window=datetime.timedelta(hours=WINDOW_HOURS))
        ContactHealth.objects.update_or_create(
            enterprise=enterprise,
            defaults={
                "light": health.light,
                "consecutive_failures": health.consecutive_failures,
                "light_since": health.light_since,
                "last_success_at": health.last_success_at,
                "last_attempt_at": health.last_attempt_at,
            },
        )


def _clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM outreach_task")
        cursor.execute("DELETE FROM monitoring_lightchange")
        cursor.execute("DELETE FROM monitoring_contacthealth")


def _extrapolated(work, total: int) -> float:
    sample = list(Enterprise.objects.order_by("pk")[:SAMPLE])
    started = time.perf_counter()
    with transaction.atomic():
        work(sample)
    return (time.perf_counter() - started) * total / SAMPLE


def _rule_seconds(now) -> dict[str, float]:
    """Each rule's condition alone (computed into the sweep's table), as the sweep runs it."""
    params = rule_parameters(RuleSettings.current(), now)
    seconds = {}
    with transaction.atomic(), connection.cursor() as cursor:
        rules_sql.sweep_begin(cursor, lock="bench")
        for kind, (condition, _reference) in rules_sql.CONDITIONS.items():
            started = time.perf_counter()
            rules_sql.hold(cursor, condition(), params)
            seconds[kind] = time.perf_counter() - started
    return seconds


def test_full_light_recompute_and_rules_sweep(attempts):
    total = Enterprise.objects.count()
    _clear()

    started = time.perf_counter()
    recomputed = health_recompute_all()
    recompute_s = time.perf_counter() - started
    started = time.perf_counter()
    again = health_recompute_all()
    recompute_again_s = time.perf_counter() - started
    lights = dict(ContactHealth.objects.values_list("light").annotate(n=Count("pk")))

    started = time.perf_counter()
    first = rules_sweep()
    sweep_s = time.perf_counter() - started
    started = time.perf_counter()
    second = rules_sweep()
    sweep_again_s = time.perf_counter() - started
    opened = {r.kind: r.opened for r in first}
    per_rule = _rule_seconds(timezone.now())

    now = timezone.now()
    _clear()
    naive_recompute_s = _extrapolated(_naive_recompute, total)
    _clear()
    naive_rules_s = _extrapolated(lambda sample: _naive_rules(sample, now), total)

    assert recomputed.enterprises == total and again.changed == 0
    assert all(r.opened == 0 and r.closed == 0 for r in second)
    print(
        f"\nMonitor over {total:,} enterprises and {attempts:,} contact attempts\n"
        f"  light recompute, from nothing:   {recompute_s:8.2f} s "
        f"({recomputed.changed:,} lights changed; {lights})\n"
        f"  light recompute, nothing new:    {recompute_again_s:8.2f} s\n"
        f"  baseline: per-enterprise replay + save, {SAMPLE:,} measured, extrapolated: "
        f"{naive_recompute_s:8.2f} s  (ratio {naive_recompute_s / recompute_s:.0f}x)\n"
        f"  rules sweep, first run:          {sweep_s:8.2f} s (opened {opened})\n"
        f"  rules sweep, nothing new:        {sweep_again_s:8.2f} s\n"
        f"  each rule's condition alone: "
        + ", ".join(f"{kind.removeprefix('rule_')} {s:.2f} s" for kind, s in per_rule.items())
        + "\n"
        f"  baseline: per-enterprise rule loop, {SAMPLE:,} measured, extrapolated: "
        f"{naive_rules_s:8.2f} s  (ratio {naive_rules_s / sweep_s:.0f}x)"
    )
