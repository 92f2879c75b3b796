"""Real `celery worker` processes for the integration tests, each on a queue of its own so no
other worker (say, a running `make run`) can take the test's tasks. On the configured broker:
Redis in CI's second pass, the filesystem transport on a fresh machine.

The fixtures are made available to every test by tests/conftest.py.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from liaison_portal.celery import app

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, as a URL a worker process can connect to."""
    s = connection.settings_dict
    host = s["HOST"] or s.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):  # the embedded server's Unix socket
        return f"postgresql://{s['USER']}@/{s['NAME']}?host={host}"
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A real `celery worker` process on the given queue."""

    def __init__(self, queue: str, env: dict[str, str]):
        self.queue = queue
        self.process = subprocess.Popen(
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
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def drain(self) -> None:
        """What the minute sweep does: send the outbox's drain task to this worker."""
        app.send_task("outreach.messaging.drain_outbox", queue=self.queue)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown, no cleanup
        self.process.wait(timeout=10)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                return self.process.communicate(timeout=20)[0] or ""
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.communicate()[0] or ""


@pytest.fixture
def start_worker():
    """``start_worker(**env)`` starts a worker with extra environment (e.g. the SMS backend);
    all the workers of one test share its queue (a second one takes over when the first is
    killed), and every worker started is stopped at the end of the test."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    workers = []

    def _start(**extra: str) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
            **extra,
        }
        worker = Worker(queue, env)
        workers.append(worker)
        return worker

    yield _start
    for worker in workers:
        output = worker.stop()
        if "Traceback" in output:
            print(output)


@pytest.fixture
def worker_queue(start_worker) -> str:
    """The queue of one plain worker, started for the test."""
    return start_worker().queue
