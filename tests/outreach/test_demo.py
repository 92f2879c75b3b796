"""seed_demo gives the demo park a year of contact history and a living workload."""

import datetime
import io

import pytest
from django.core.management import call_command

from outreach.models import ContactAttempt, EnterpriseOutreach, Task
from registry.models import Enterprise
from tests.outreach.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_park(clock):
    call_command("seed_demo", "--enterprises", "150", "--seed", "7", stdout=io.StringIO())


def test_the_demo_park_has_a_year_of_contact_history(demo_park):
    attempts = ContactAttempt.objects.all()
    oldest = attempts.order_by("occurred_at").first().occurred_at.date()
    assert TODAY - datetime.timedelta(days=366) <= oldest <= TODAY - datetime.timedelta(days=300)
    assert attempts.filter(outcome="reached").count() > attempts.exclude(outcome="reached").count()
    assert attempts.exclude(outcome="reached").exists()
    # The history is the past; the demo's replaced liaisons were welcomed today (Outcome.SENT).
    for attempt in attempts.exclude(outcome="sent")[:300]:
        attempt.full_clean()
        assert attempt.occurred_at.date() < TODAY


def test_every_grid_worker_and_the_staff_pool_have_open_tasks_some_overdue(demo_park):
    open_tasks = Task.objects.filter(status=Task.Status.OPEN)
    for username in ("grid1", "grid2"):
        theirs = open_tasks.filter(assignee__username=username)
        assert theirs.filter(due_on__lt=TODAY).exists(), username
        assert theirs.filter(due_on__gte=TODAY).exists(), username
        assert theirs.filter(kind=Task.Kind.RECHECK_CALL).exists() or theirs.count() > 3
    assert open_tasks.filter(assignee__isnull=True).exists()  # 科创园网格 has no grid worker


def test_every_enterprise_in_business_has_a_plan(demo_park):
    planned = EnterpriseOutreach.objects.filter(next_due_on__isnull=False).count()
    assert planned == Enterprise.objects.exclude(status="deregistered").count()
