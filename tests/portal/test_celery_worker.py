"""A real Celery worker process, on the configured broker (Redis in CI's second pass, the
filesystem transport on a fresh machine), runs a task end to end against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from liaison_portal.celery import app
from liaison_portal.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or s.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):  # the embedded server's Unix socket
        return f"postgresql://{s['USER']}@/{s['NAME']}?host={host}"
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_queue():
    """A worker on a queue of its own, so no other worker (say, a running `make run`) can
    take the test's task."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    environ = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "liaison_portal",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "-l",
            "warning",
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    if "Traceback" in (output or ""):
        print(output)


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
