"""The plan follows the holidays an admin entered for a year the package does not know
(chinesecalendar 1.11.0 stops at 2026), loaded afresh by each run."""

import datetime

import pytest
import time_machine

from outreach import planner
from outreach.models import EnterpriseOutreach, Task
from outreach.services import plan_run
from registry.holidays import HolidayRow, holiday_year_save
from registry.workdays import WorkCalendar
from tests.factories import EnterpriseFactory
from tests.outreach.conftest import at

pytestmark = pytest.mark.django_db

D = datetime.date
# A Spring Festival week as a notice would set it: Monday 8 to Friday 12 February 2027 off,
# Sunday 14 February worked instead.
SPRING_FESTIVAL = [
    *(HolidayRow(D(2027, 2, day), "holiday", "春节") for day in range(6, 13)),
    HolidayRow(D(2027, 2, 14), "workday", "春节"),
]
MONDAY = D(2027, 2, 8)


def test_without_an_entered_2027_the_plan_counts_monday_to_friday():
    assert planner.is_contact_day(MONDAY, calendar=WorkCalendar())


def test_an_entered_holiday_is_no_contact_day_and_the_make_up_day_is(admin_user, grid_a, worker_a):
    holiday_year_save(
        year=2027, notice="国办发明电〔2026〕7号", days=SPRING_FESTIVAL, by=admin_user
    )
    enterprises = [EnterpriseFactory(grid=grid_a) for _ in range(5)]

    with time_machine.travel(at(MONDAY), tick=False):
        result = plan_run()

    assert result.replanned == 5
    due = set(
        EnterpriseOutreach.objects.filter(enterprise__in=enterprises).values_list(
            "next_due_on", flat=True
        )
    )
    assert not due & {row.date for row in SPRING_FESTIVAL if row.kind == "holiday"}
    # The first of the period's remaining contact days is the make-up Sunday.
    assert min(due) == D(2027, 2, 14)
    task = Task.objects.get(kind=Task.Kind.ROUTINE, due_on__lte=D(2027, 2, 15))
    assert task.due_on == D(2027, 2, 14)


def test_an_entry_counts_at_the_next_run_without_a_restart(admin_user, grid_a, worker_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    with time_machine.travel(at(MONDAY), tick=False):
        plan_run()
        assert EnterpriseOutreach.objects.get(enterprise=enterprise).next_due_on == MONDAY
        holiday_year_save(
            year=2027, notice="国办发明电〔2026〕7号", days=SPRING_FESTIVAL, by=admin_user
        )
        # The calendar is read per run (no process-wide cache), so a fresh plan of a new
        # enterprise in the same process skips the entered holidays.
        later = EnterpriseFactory(grid=grid_a)
        plan_run()
    assert EnterpriseOutreach.objects.get(enterprise=later).next_due_on == D(2027, 2, 14)
