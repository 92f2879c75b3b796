"""A real Celery worker process, on the configured broker (Redis in CI's second pass, the
filesystem transport on a fresh machine), runs a task end to end against the test database."""

import time

import pytest

from liaison_portal.celery import app
from liaison_portal.models import WorkerHeartbeat


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_the_broker(worker_queue):
    app.send_task(
        "liaison_portal.tasks.worker_heartbeat",
        kwargs={"hostname": worker_queue},
        queue=worker_queue,
    )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(hostname=worker_queue).exists():
            break
        time.sleep(0.3)
    assert WorkerHeartbeat.objects.filter(hostname=worker_queue).exists(), (
        "the worker did not run the task within 60 s"
    )
