"""The material library's tests: files of each kind, materials, an event held last week."""

import datetime

import pytest
from django.test import override_settings

from outreach.events.models import Event
from outreach.events.services import event_create
from outreach.materials.models import MaterialTopic
from outreach.materials.services import material_create
from tests.outreach.conftest import TODAY, at
from tests.outreach.matters.files import image_bytes, pdf_bytes, upload


@pytest.fixture(autouse=True)
def _media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def topic(db):
    # (get_or_create: a transactional test run before may have flushed the migration's rows.)
    return MaterialTopic.objects.get_or_create(name="年报")[0]


@pytest.fixture
def image_material(staff_user, topic, clock):
    return material_create(
        title="一图看懂年报",
        topic=topic,
        kind="image",
        upload=upload("年报.png", image_bytes()),
        description="三步完成年报。",
        by=staff_user,
    )


@pytest.fixture
def pdf_material(staff_user, topic, clock):
    return material_create(
        title="年报填报指南",
        topic=topic,
        kind="pdf",
        upload=upload("指南.pdf", pdf_bytes()),
        by=staff_user,
    )


@pytest.fixture
def video_material(staff_user, topic, clock):
    return material_create(
        title="年报操作视频",
        topic=topic,
        kind="video",
        url="https://video.example.cn/v/123",
        by=staff_user,
    )


@pytest.fixture
def held_event(staff_user, clock):
    """A training held last week (it has started, so material may follow)."""
    return event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="年报实操培训",
        starts_at=at(TODAY - datetime.timedelta(days=7), 14),
        place="服务中心3楼",
    )


# The WeCom group robot tests' fixtures (tests/outreach/messaging/wecom_fixtures.py).
from tests.outreach.messaging.wecom_fixtures import robot_a, wecom  # noqa: E402, F401
