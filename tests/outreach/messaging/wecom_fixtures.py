"""Shared pieces of the WeCom group robot tests: the stand-in, robots, tiny images."""

import base64

import pytest
from django.test import override_settings

from outreach.messaging.wecom.models import WeComRobot
from tests.standins.wecom import WeComStandIn

KEY_A = "693a91f6-7a0c-4bc4-97a0-0ec2a1fa5aa1"
KEY_B = "5b1c3d2e-0f9a-4e8b-8c7d-6e5f4a3b2c1d"
# A 1×1 PNG and the start of a JPEG: what a content check looks at.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def wecom():
    """The stand-in, knowing both keys, as WECOM_WEBHOOK_BASE of this process."""
    with (
        WeComStandIn(keys={KEY_A, KEY_B}) as standin,
        override_settings(WECOM_WEBHOOK_BASE=standin.url),
    ):
        yield standin


@pytest.fixture
def robot_a(grid_a, admin_user):
    return WeComRobot.objects.create(name="甲网格联络员群", grid=grid_a, key=KEY_A)


@pytest.fixture
def robot_b(grid_b, admin_user):
    return WeComRobot.objects.create(name="乙网格联络员群", grid=grid_b, key=KEY_B)
