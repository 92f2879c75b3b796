"""The metrics read from the day summary (outreach.sql.matter_metrics) are the figures the scan
over matters gives (metrics.matter_metrics_scan, today's computation kept as the reference):
after every kind of move (intake, route, take, answer, 不满意 reopening to the lead, 退回,
转派, close, an enterprise identified later or moved to another grid, a department deleted,
a matter deleted by retention, the reminders' claims), for every role's scope, every
dimension, with and without a period, at moments before and after the first responses fall
due. The rebuild gives the rows the triggers kept, and ``last_nudge_at`` is the last chase or
reminder step."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.db.models import Max, Q

from outreach.matters import services
from outreach.matters.metrics import DIMENSIONS, matter_metrics_scan, matter_metrics_tables
from outreach.matters.models import (
    Department,
    Matter,
    MatterCategory,
    MatterDaySummary,
    MatterMonthSummary,
)
from outreach.matters.services.metrics_summary import matter_metrics_rebuild
from outreach.sql.matter_metrics import NUDGES
from registry import clock
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

# A Monday at 10:00 in the park; the last matter near midnight of a month's last day.
START = clock.start_of_day(datetime.date(2026, 3, 2)) + datetime.timedelta(hours=10)


def _at(days: float, hours: float = 0) -> datetime.datetime:
    return START + datetime.timedelta(days=days, hours=hours)


def _summary(model=None) -> list[tuple]:
    model = model or MatterDaySummary
    grain = "day" if model is MatterDaySummary else "month"
    return sorted(
        model.objects.values_list(
            grain,
            "category_id",
            "department_id",
            "grid_id",
            "total",
            "responded",
            "responded_in_time",
            "answered",
            "resolved",
            "satisfied",
            "mostly",
            "dissatisfied",
            "response_time",
            "resolution_time",
        ),
        key=lambda row: tuple((v is None, v) for v in row),
    )


def _typed(rows) -> list[list[tuple]]:
    return [[(type(v).__name__, v) for v in dataclasses.astuple(row)] for row in rows]


def _assert_parity(users, *, nows, periods):
    for user in users:
        for now in nows:
            for since, until in periods:
                tables = matter_metrics_tables(user=user, now=now, since=since, until=until)
                bounds = {
                    "since": clock.start_of_day(since) if since else None,
                    "until": clock.start_of_day(until + datetime.timedelta(days=1))
                    if until
                    else None,
                }
                for by in DIMENSIONS:
                    scan = matter_metrics_scan(user=user, by=by, now=now, **bounds)
                    # Equal, and of the same types (a count a Decimal would break the page).
                    assert _typed(tables[by]) == _typed(scan), (user.username, now, by)


@pytest.fixture
def park(db, enterprise_a, grid_b, tax, complaint, staff_user, worker_a, admin_user):
    """Two departments, a sub-category, an enterprise in each grid."""
    tax_office = Department.objects.create(name="税务服务科", lead=admin_user)
    tax_office.members.add(staff_user, worker_a)
    service = Department.objects.create(name="企业服务科", lead=staff_user)
    service.members.add(admin_user)
    vat = MatterCategory.objects.create(name="增值税", parent=tax)
    enterprise_b = EnterpriseFactory(grid=grid_b, name="杭州远景贸易有限公司")
    return {
        "tax_office": tax_office,
        "service": service,
        "vat": vat,
        "enterprise_b": enterprise_b,
    }


def test_the_summary_gives_the_scans_figures_after_every_kind_of_move(
    park, intake, staff_user, worker_a, worker_b, admin_user, auditor, complaint, enterprise_a
):
    tax_office, service = park["tax_office"], park["service"]
    # 1. Answered on the spot, resolved, rated 满意.
    first = intake(disposition="answered", answer="已答复", now=_at(0))
    services.matter_rate(matter=first, satisfaction="satisfied", now=_at(1))
    # 2. Routed, taken late, answered unresolved, rated 不满意: reopened to the lead, who
    #    takes it and answers again (resolved this time), rated 基本满意; closed.
    second = intake(
        category=park["vat"], disposition="routed", department=tax_office, now=_at(0, 3)
    )
    second = services.matter_take(matter=second, by=worker_a, now=_at(3))
    second = services.matter_answer(
        matter=second,
        by=worker_a,
        answer="尚在办理",
        resolved=False,
        next_step="补材料",
        next_step_on=datetime.date(2026, 3, 20),
        now=_at(4),
    )
    second = services.matter_rate(matter=second, satisfaction="dissatisfied", now=_at(5))
    assert second.state == Matter.State.ROUTED and second.owner == admin_user
    second = services.matter_take(matter=second, by=admin_user, now=_at(6))
    second = services.matter_answer(
        matter=second, by=admin_user, answer="已办结", resolved=True, now=_at(7)
    )
    second = services.matter_rate(matter=second, satisfaction="mostly", now=_at(8))
    services.matter_close(matter=second, by=admin_user, now=_at(9))
    # 3. Enterprise B, a complaint: routed to the tax office, 转派 to the service
    #    department, 退回 to the desk; never answered.
    third = intake(
        enterprise=park["enterprise_b"],
        liaison=park["enterprise_b"].current_liaison,
        category=complaint,
        disposition="routed",
        department=tax_office,
        now=_at(1, 2),
    )
    third = services.matter_reroute(
        matter=third, by=staff_user, reason="不属本科", department=service, now=_at(1, 5)
    )
    third = services.matter_take(matter=third, by=admin_user, now=_at(1, 6))
    services.matter_return(matter=third, by=admin_user, reason="材料不全", now=_at(2))
    # 4. A caller not identified, later linked to enterprise B; owned by worker A although
    #    outside their grid and department (they see it as its owner).
    fourth = intake(
        enterprise=None,
        liaison=None,
        requester_name="李先生",
        requester_phone="13800138000",
        disposition="routed",
        owner=worker_a,
        now=_at(2, 1),
    )
    fourth = services.matter_link_enterprise(
        matter=fourth, by=staff_user, enterprise=park["enterprise_b"], now=_at(2, 2)
    )
    services.matter_chase(matter=fourth, by=staff_user, now=_at(2, 3))
    # 5. Received at 23:30 on the month's last day (park time): March's, not April's.
    last = clock.start_of_day(datetime.date(2026, 3, 31)) + datetime.timedelta(hours=23.5)
    intake(now=last)
    # 6. One answered then deleted (retention), one left unanswered and not yet due.
    gone = intake(disposition="answered", answer="已答复", now=_at(3))
    fresh = intake(category=complaint, now=_at(40))
    # The reminders claim and flag what is overdue (updates that leave the figures alone).
    services.matters_remind(now=_at(40, 1))

    users = [staff_user, auditor, worker_a, worker_b, admin_user]
    nows = [_at(40, 2), fresh.first_response_due + datetime.timedelta(minutes=1)]
    periods = [
        (None, None),
        (datetime.date(2026, 3, 3), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 3, 2), None),
        (None, datetime.date(2026, 3, 2)),
        # March whole (the month summary), the edges by day; and a period within a month.
        (datetime.date(2026, 2, 15), datetime.date(2026, 4, 10)),
        (datetime.date(2026, 3, 1), datetime.date(2026, 4, 30)),
        (datetime.date(2026, 4, 11), datetime.date(2026, 4, 11)),
    ]
    _assert_parity(users, nows=nows, periods=periods)
    # The figures are not trivially equal: rated, resolved, late and unanswered all occur,
    # and the fresh matter's first response falls due between the two moments.
    before, after = (
        matter_metrics_tables(user=staff_user, now=now, dimensions=("category",))["category"]
        for now in nows
    )
    assert sum(r.rated for r in before) == 2 and sum(r.resolved for r in before) == 3
    assert sum(r.response_due for r in after) == sum(r.response_due for r in before) + 1
    assert any(r.responded_in_time < r.response_due for r in before)

    # Enterprise A moves to grid B: its matters count under grid B, and worker A no longer
    # sees them (unless owned or of their department).
    enterprise_a.grid = park["enterprise_b"].grid
    enterprise_a.save(update_fields=["grid"])
    # A department deleted: its matters count under no department.
    Department.objects.filter(pk=service.pk).delete()
    # Retention deletes a matter (its steps go with it).
    Matter.objects.filter(pk=gone.pk).delete()
    _assert_parity(users, nows=nows, periods=periods)

    kept, months = _summary(), _summary(MatterMonthSummary)
    assert kept and all(row[4] > 0 for row in kept + months)  # no key left empty
    assert matter_metrics_rebuild() == len(kept)
    assert (_summary(), _summary(MatterMonthSummary)) == (kept, months)


def test_the_grid_scope_of_the_summary(park, intake, worker_a, worker_b, staff_user):
    """Grid workers see their grids' matters, their departments' and their own; nothing
    else counts in their figures."""
    intake(now=_at(0))  # enterprise A, grid A
    intake(
        enterprise=park["enterprise_b"],
        liaison=park["enterprise_b"].current_liaison,
        now=_at(0, 1),
    )
    now = _at(10)
    assert sum(r.total for r in matter_metrics_tables(user=worker_a, now=now)["month"]) == 1
    assert sum(r.total for r in matter_metrics_tables(user=worker_b, now=now)["month"]) == 1
    assert sum(r.total for r in matter_metrics_tables(user=staff_user, now=now)["month"]) == 2
    grids = [row.label for row in matter_metrics_tables(user=worker_b, now=now)["grid"]]
    assert grids == [park["enterprise_b"].grid.name]


def test_an_unidentified_caller_counts_for_the_grid_worker_who_took_it_in(
    park, intake, worker_a, worker_b, staff_user
):
    """The figures' scope follows the pages' (selectors.visible_matters): the worker who took
    in a caller with no enterprise sees the matter, so it counts in their figures too."""
    intake(
        by=worker_a,
        enterprise=None,
        liaison=None,
        requester_name="王先生",
        requester_phone="13800138000",
        now=_at(0),
    )
    now = _at(10)
    assert sum(r.total for r in matter_metrics_tables(user=worker_a, now=now)["month"]) == 1
    assert sum(r.total for r in matter_metrics_tables(user=worker_b, now=now)["month"]) == 0
    _assert_parity([worker_a, worker_b, staff_user], nows=[_at(0, 1), now], periods=[(None, None)])


def test_last_nudge_at_is_the_last_chase_or_reminder(park, intake, staff_user):
    matter = intake(disposition="routed", department=park["tax_office"], now=_at(0))
    assert Matter.objects.get(pk=matter.pk).last_nudge_at is None
    services.matter_chase(matter=matter, by=staff_user, now=_at(0, 2))
    services.matters_remind(now=_at(30))  # the reminders and the overdue flag
    other = intake(now=_at(31))
    services.matter_chase(matter=other, by=staff_user, now=_at(31, 1))
    expected = dict(
        Matter.objects.annotate(
            last=Max("steps__at", filter=Q(steps__action__in=NUDGES))
        ).values_list("pk", "last")
    )
    assert dict(Matter.objects.values_list("pk", "last_nudge_at")) == expected
    assert expected[matter.pk] == _at(30)


def test_the_metrics_are_one_query(park, intake, staff_user, worker_a, django_assert_num_queries):
    intake(now=_at(0))
    for user in (staff_user, worker_a):
        user_role_cached = matter_metrics_tables(user=user, now=_at(1))  # warm the role
        assert user_role_cached["month"]
        with django_assert_num_queries(1):
            matter_metrics_tables(user=user, now=_at(1))
    assert connection.vendor == "postgresql"


def test_the_rebuild_command_recounts_a_summary_gone_wrong(park, intake, staff_user):
    from io import StringIO

    from django.core.management import call_command

    intake(now=_at(0))
    intake(disposition="answered", answer="已答复", now=_at(1))
    kept = _summary()
    # Rows lost or miscounted (a restore from an old dump, a trigger dropped by hand).
    MatterDaySummary.objects.filter(day=clock.today(_at(0))).delete()
    MatterDaySummary.objects.update(total=99)
    MatterMonthSummary.objects.all().delete()
    out = StringIO()
    call_command("matter_metrics_rebuild", stdout=out)
    assert _summary() == kept and _summary(MatterMonthSummary)
    assert f"{len(kept)} rows" in out.getvalue()


def test_the_nightly_rebuild_is_scheduled(park, intake, settings):
    from outreach.matters.tasks import rebuild_matter_metrics

    intake(now=_at(0))
    entry = settings.CELERY_BEAT_SCHEDULE["matters-metrics-rebuild"]
    assert entry["task"] == rebuild_matter_metrics.name
    assert rebuild_matter_metrics.run() == {"rows": len(_summary())} == {"rows": 1}
