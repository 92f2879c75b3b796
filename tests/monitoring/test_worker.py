"""The beat's rules task, run by a real Celery worker process through the broker."""

import datetime
import time

import pytest
from django.utils import timezone

from liaison_portal.celery import app
from monitoring import kinds
from outreach.models import Task
from registry.models import Liaison


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_rules(worker_queue, enterprise_a, worker_a):
    Liaison.objects.filter(enterprise=enterprise_a).update(
        updated_at=timezone.now() - datetime.timedelta(days=400)
    )
    app.send_task("monitoring.tasks.run_rules", queue=worker_queue)
    deadline = time.monotonic() + 60
    tasks = Task.objects.filter(enterprise=enterprise_a, kind=kinds.STALE_LIAISON)
    while time.monotonic() < deadline and not tasks.exists():
        time.sleep(0.3)
    task = tasks.get()
    assert (task.source, task.assignee) == ("rule", worker_a)
