"""The monitor's set-based SQL (monitoring/sql/) against its reference versions on a small
park: each rule's condition, the light recomputed from the whole contact log, the
dashboard's red counts and red spells, the paused enterprises."""

import datetime
import random

import pytest
from django.db import connection, transaction

from monitoring.models import ContactHealth, LightChange, RuleSettings
from monitoring.services.recompute import light_params
from monitoring.services.rules import rule_parameters
from monitoring.sql import dashboard, health, recompute
from monitoring.sql.rules import CONDITIONS, mobile_regions_fill
from outreach.models import ContactAttempt
from registry import services as registry
from registry.models import AnnualReport, Enterprise, Liaison
from registry.sql import Table
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.monitoring.conftest import FAILED, NOW, PHONE, REACHED, TODAY, log

pytestmark = pytest.mark.django_db
NOT_IN_SERVICE = ContactAttempt.Outcome.NOT_IN_SERVICE


@pytest.fixture
def small_park(clock, grid_a, staff_user):
    """Enterprises for every rule and every light: stale and fresh liaisons, phones alike and
    not, numbers not in service (one reached since), liaisons changed often, a new legal
    representative, failures in a row, a paused enterprise."""
    made = [LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a)).enterprise for _ in range(8)]
    long_ago = NOW - datetime.timedelta(days=300)
    Liaison.objects.filter(enterprise__in=made[:2]).update(updated_at=long_ago)
    Liaison.objects.filter(enterprise=made[1]).update(last_verified_at=NOW)
    Enterprise.objects.filter(pk=made[2].pk).update(
        registered_phone="021-55551234", annual_report_phone="13800001111"
    )
    Enterprise.objects.filter(pk=made[3].pk).update(
        registered_phone="021-55551234", annual_report_phone="021-55551234"
    )
    for enterprise, hours in ((made[4], 24 * 10), (made[5], 24 * 10), (made[6], 24 * 2)):
        log(enterprise, NOT_IN_SERVICE, hours_ago=hours)
    log(made[5], REACHED, hours_ago=24)
    for n in range(3):
        registry.liaison_replace(
            enterprise=made[6],
            by=staff_user,
            name=f"继任{n}",
            mobile=f"1370000000{n}",
            started_on=TODAY - datetime.timedelta(days=30 * (3 - n)),
        )
    registry.enterprise_update(enterprise=made[7], by=staff_user, legal_representative="新法人")
    # A dead number during a change of business scope (one urgent task), a new beneficial
    # owner, new executives, a liaison from another province (the weight), a filed report.
    registry.enterprise_update(enterprise=made[4], by=staff_user, business_scope="技术服务")
    registry.enterprise_update(enterprise=made[3], by=staff_user, beneficial_owner="王五")
    registry.enterprise_update(enterprise=made[2], by=staff_user, executives="董事：甲；监事：乙")
    registry.liaison_replace(
        enterprise=made[2],
        by=staff_user,
        name="外省联络员",
        mobile="13912345678",
        started_on=TODAY - datetime.timedelta(days=10),
    )
    AnnualReport.objects.create(enterprise=made[1], year=2025, filed=True, updated_at=NOW)
    Enterprise.objects.filter(pk__in=[e.pk for e in made[:4]]).update(
        created_at=NOW - datetime.timedelta(days=700)
    )
    registry.enterprise_update(enterprise=made[0], by=staff_user, industry="软件")
    for enterprise, failures in ((made[0], 1), (made[1], 2), (made[7], 4)):
        for n in range(failures):
            log(enterprise, FAILED, hours_ago=5 - n)
    log(made[1], REACHED, hours_ago=30)
    ContactHealth.objects.filter(enterprise=made[7]).update(
        paused_until=TODAY + datetime.timedelta(days=3)
    )
    return made


@pytest.mark.parametrize("kind", sorted(CONDITIONS))
def test_each_rule_holds_where_its_reference_holds(small_park, kind):
    condition, reference = CONDITIONS[kind]
    params = rule_parameters(RuleSettings.current(), NOW)
    with connection.cursor() as cursor:
        mobile_regions_fill(cursor, params)
        cursor.execute(condition(), params)
        found = {row[0] for row in cursor.fetchall()}
    assert found == reference(params)


def test_the_rules_hold_somewhere_on_the_park(small_park):
    params = rule_parameters(RuleSettings.current(), NOW)
    assert all(reference(params) for _condition, reference in CONDITIONS.values())
    # And not everywhere: the combined rule, a control change, a filed report.
    assert CONDITIONS["rule_dead_number_major_change"][1](params) == {small_park[4].pk}
    assert CONDITIONS["rule_control_change"][1](params) == {small_park[3].pk}
    assert small_park[1].pk not in CONDITIONS["rule_annual_report_missing"][1](params)


def test_the_light_recomputed_in_sql_is_the_light_replayed_in_python(small_park):
    params = light_params(today=TODAY, window=datetime.timedelta(0))
    with transaction.atomic(), connection.cursor() as cursor:
        recompute.compute(cursor, params)
        found = recompute.recomputed(cursor)
        transaction.set_rollback(True)
    assert found == recompute.recomputed_reference(today=TODAY)
    assert {light for light, *_rest in found.values()} == {"green", "yellow", "red"}


@pytest.mark.parametrize("hours", [0, 4])
def test_the_light_recomputed_in_sql_counts_occasions_as_replay_does(
    small_park, grid_a, settings, hours
):
    """Redials on a channel within the window of an occasion's first failure are that
    occasion, in SQL as in ``replay``: random histories of calls minutes to hours apart on
    two or three channels, some at the same instant, some reached."""
    settings.MONITOR_OCCASION_WINDOW_HOURS = hours
    chance = random.Random(19)
    channels = (PHONE, ContactAttempt.Channel.WECHAT, ContactAttempt.Channel.VISIT)
    for _n in range(25):
        enterprise = EnterpriseFactory(grid=grid_a)
        at = NOW - datetime.timedelta(days=3)
        for _k in range(chance.randint(1, 9)):
            at += datetime.timedelta(minutes=chance.choice([0, 2, 30, 150, 239, 240, 241, 600]))
            ContactAttempt.objects.create(
                enterprise=enterprise,
                channel=chance.choice(channels),
                outcome=REACHED if chance.random() < 0.15 else FAILED,
                occurred_at=at,
            )
    params = light_params(today=TODAY, window=datetime.timedelta(hours=hours))
    with transaction.atomic(), connection.cursor() as cursor:
        recompute.compute(cursor, params)
        found = recompute.recomputed(cursor)
        transaction.set_rollback(True)
    assert found == recompute.recomputed_reference(today=TODAY, window=params["window"])
    assert {light for light, *_rest in found.values()} == {"green", "yellow", "red"}


def test_the_dashboards_red_counts_and_spells_are_those_of_their_references(small_park):
    ids = set(Enterprise.objects.values_list("pk", flat=True))
    first = small_park[0]
    spells = (
        (60, "green", "red"),
        (40, "red", "green"),
        (20, "green", "red"),
        (10, "red", "yellow"),
    )
    for days, from_light, to_light in spells:
        LightChange.objects.create(
            enterprise=first,
            from_light=from_light,
            to_light=to_light,
            at=NOW - datetime.timedelta(days=days),
            reason=LightChange.Reason.DEMO,
            consecutive_failures=0,
        )
    e = Table(Enterprise)
    scope = (f"SELECT {e.id} FROM {e}", [])
    ends = [NOW - datetime.timedelta(days=days) for days in (50, 30, 15, 5, 0)]
    since = NOW - datetime.timedelta(days=45)
    with connection.cursor() as cursor:
        reds = dashboard.reds_at(cursor, ends=ends, scope=scope)
        average = dashboard.red_days_average(cursor, since=since, scope=scope)
    assert reds == dashboard.reds_at_reference(ends=ends, enterprise_ids=ids)
    assert average == pytest.approx(
        dashboard.red_days_average_reference(since=since, enterprise_ids=ids)
    )
    assert reds[0] >= 1 and average is not None


def test_the_paused_enterprises_are_those_of_the_reference(small_park):
    sql, params = health.paused_enterprises(TODAY)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0] for row in cursor.fetchall()}
    assert found == health.paused_reference(TODAY) == {small_park[7].pk}
