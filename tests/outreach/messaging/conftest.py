import time
from collections.abc import Callable

import pytest
from django.test import override_settings

from tests.outreach.messaging.gateway import ScriptedSmsBackend
from tests.outreach.messaging.providers import provider  # noqa: F401 (each SMS provider's stand-in)


@pytest.fixture
def gateway():
    """The scripted SMS gateway, empty, as the SMS backend of this process."""
    ScriptedSmsBackend.reset()
    with override_settings(SMS_BACKEND="tests.outreach.messaging.gateway.ScriptedSmsBackend"):
        yield ScriptedSmsBackend
    ScriptedSmsBackend.reset()


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


# The WeCom group robot tests' fixtures (tests/outreach/messaging/wecom_fixtures.py).
from tests.outreach.messaging.wecom_fixtures import robot_a, robot_b, wecom  # noqa: E402, F401
