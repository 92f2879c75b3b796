import re

import pytest
import time_machine

from outreach.messaging.models import OutboxMessage
from outreach.selfservice.services import selfservice_link_send
from registry import clock


def token_in(message: OutboxMessage) -> str:
    """The token of the personal link in an outbox message's text."""
    return re.search(r"/s/([A-Za-z0-9_-]{40,})/", message.body).group(1)


def code_in(message: OutboxMessage) -> str:
    return re.search(r"验证码为(\d{6})", message.body).group(1)


@pytest.fixture
def sent_link(enterprise_a, staff_user):
    return selfservice_link_send(enterprise=enterprise_a, by=staff_user)


@pytest.fixture
def steady_window():
    """django-ratelimit's windows are fixed to the clock: a test that crossed the edge of one
    would start counting afresh. Time stands still for the test."""
    with time_machine.travel(clock.now(), tick=False):
        yield
