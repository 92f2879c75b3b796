"""The beat's planning task, run by a real Celery worker process through the broker."""

import time

import pytest
from django.utils import timezone

from liaison_portal.celery import app
from outreach.models import EnterpriseOutreach, Task
from tests.factories import EnterpriseFactory


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_turns_a_due_contact_into_a_routine_task(worker_queue, grid_a, worker_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    # Due today, planned with the policy of its tier: nothing to re-plan, one task to make.
    EnterpriseOutreach.objects.create(
        enterprise=enterprise,
        next_due_on=timezone.localdate(),
        planned_tier="general",
        planned_months=6,
    )

    app.send_task("outreach.tasks.plan_due_contacts", queue=worker_queue)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Task.objects.filter(enterprise=enterprise).exists():
        time.sleep(0.3)
    task = Task.objects.get(enterprise=enterprise)
    assert (task.kind, task.source, task.assignee) == ("routine", "plan", worker_a)
    assert task.due_on == timezone.localdate()
