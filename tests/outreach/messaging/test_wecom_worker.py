"""Group posts with a REAL Celery worker against the WeCom stand-in: the worker process
reaches the stand-in through WECOM_WEBHOOK_BASE, and keeps each robot under its limit by
counting the rows (the stand-in answers 45009 beyond it, as WeCom does)."""

import time

import pytest

from outreach.messaging.wecom import services
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from tests.outreach.messaging.conftest import wait_for
from tests.outreach.messaging.wecom_fixtures import KEY_A
from tests.standins.wecom import WeComStandIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
# The robot's minute, shortened so the test waits seconds instead of a minute.
WINDOW = 3


@pytest.fixture
def standin():
    with WeComStandIn(keys={KEY_A}, limit=20, window=WINDOW) as wecom:
        yield wecom


def _sent() -> int:
    return WeComPost.objects.filter(status=WeComPost.Status.SENT).count()


def _sweep_until(worker, condition, *, timeout: float, what: str) -> None:
    """What beat does every minute, every two seconds: ask the worker to drain."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.drain()
        try:
            wait_for(condition, timeout=2, what=what)
            return
        except AssertionError:
            continue
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_post_reaches_the_group_through_the_worker(standin, start_worker, grid_a, staff_user):
    robot = WeComRobot.objects.create(name="甲网格联络员群", grid=grid_a, key=KEY_A)
    services.post_create(
        robots=[robot], msgtype="text", content="年报提醒：请于6月30日前报送。", by=staff_user
    )
    worker = start_worker(WECOM_WEBHOOK_BASE=standin.url)
    _sweep_until(worker, lambda: _sent() == 1, timeout=60, what="the post sent")

    [request] = standin.accepted(KEY_A)
    assert request.body["text"]["content"] == "年报提醒：请于6月30日前报送。"


def test_the_21st_post_in_the_robots_minute_goes_after_it(
    standin, start_worker, grid_a, staff_user
):
    robot = WeComRobot.objects.create(name="甲网格联络员群", grid=grid_a, key=KEY_A)
    for i in range(21):
        services.post_create(robots=[robot], msgtype="text", content=f"第{i + 1}条", by=staff_user)
    # Two workers on the same queue: the limit holds across processes, not in one's memory.
    env = {"WECOM_WEBHOOK_BASE": standin.url, "WECOM_RATE_WINDOW_SECONDS": str(WINDOW)}
    worker = start_worker(**env)
    start_worker(**env)
    _sweep_until(worker, lambda: _sent() == 21, timeout=90, what="all 21 sent")

    accepted = standin.accepted(KEY_A)
    assert len(accepted) == 21 and not standin.answered(45009)
    arrivals = sorted(r.at for r in accepted)
    assert arrivals[20] - arrivals[0] >= WINDOW, "the 21st waited for the robot's minute"
