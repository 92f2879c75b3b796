import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import override_settings

from liaison_portal.celery import app
from tests.messaging.gateway import ScriptedSmsBackend
from tests.portal.test_celery_worker import _database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway():
    """The scripted SMS gateway, empty, as the SMS backend of this process."""
    ScriptedSmsBackend.reset()
    with override_settings(SMS_BACKEND="tests.messaging.gateway.ScriptedSmsBackend"):
        yield ScriptedSmsBackend
    ScriptedSmsBackend.reset()


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


class Worker:
    """A real `celery worker` process on a queue of its own."""

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
def start_worker(tmp_path):
    """``start_worker(**env)`` starts a worker with extra environment (e.g. the SMS backend);
    every worker started is stopped at the end of the test."""
    queue = f"test-outbox-{uuid.uuid4().hex[:10]}"
    workers = []

    def _start(**extra: str) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
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
