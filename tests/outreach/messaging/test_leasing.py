"""The leased delivery the outbox and the WeCom posts share (outreach.messaging.leasing): the
database refuses a row the claim could lose, for both; the backoff between retries."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from outreach.messaging import leasing
from outreach.messaging.models import OutboxMessage
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry import clock

pytestmark = pytest.mark.django_db


def _outbox_message(enterprise_a, **fields):
    return OutboxMessage.objects.create(
        enterprise=enterprise_a, channel="sms", to="13912345678", body="提醒", purpose="t", **fields
    )


def _wecom_post(enterprise_a, **fields):
    robot = WeComRobot.objects.create(name="甲网格联络员群", key="693a91f6-7a0c-4bc4")
    return WeComPost.objects.create(robot=robot, msgtype="text", content="提醒", **fields)


@pytest.mark.parametrize("write", [_outbox_message, _wecom_post], ids=["outbox", "wecom"])
def test_a_queued_row_without_its_time_is_refused_for_both(write, enterprise_a):
    # No claim would ever find it: it would wait for ever.
    with pytest.raises(IntegrityError, match="queued_has_next_attempt"), transaction.atomic():
        write(enterprise_a, status="queued", next_attempt_at=None)


@pytest.mark.parametrize("write", [_outbox_message, _wecom_post], ids=["outbox", "wecom"])
def test_a_row_being_sent_without_a_lease_is_refused_for_both(write, enterprise_a):
    # Its sender dying would leave it sending for ever: no lease to run out.
    with pytest.raises(IntegrityError, match="sending_has_lease"), transaction.atomic():
        write(enterprise_a, status="sending", next_attempt_at=clock.now(), lease_until=None)


@override_settings(OUTBOX_RETRY_BASE_SECONDS=60, OUTBOX_RETRY_MAX_SECONDS=3600)
def test_the_wait_doubles_from_a_minute_after_each_failure_up_to_an_hour():
    minute = datetime.timedelta(minutes=1)
    minutes = [leasing.backoff(attempts) / minute for attempts in range(1, 9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]
