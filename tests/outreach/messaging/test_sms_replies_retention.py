"""Retention reaches SMS replies: a reply from a liaison erased by the retention run loses its
number and text; a kept liaison's reply stays."""

import pytest

from outreach.messaging.inbound.models import InboundSms
from registry import clock
from registry.models import Liaison
from registry.retention import ERASED, retention_run
from tests.registry.test_retention import LEFT, park  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _reply(liaison, text, ref):
    return InboundSms.objects.create(
        provider="aliyun",
        provider_ref=ref,
        mobile=liaison.mobile,
        text=text,
        received_at=clock.now(),
        enterprise=liaison.enterprise,
        liaison=liaison,
        matches=1,
    )


def test_a_reply_of_an_erased_liaison_is_erased(park):  # noqa: F811
    left = Liaison.objects.get(enterprise=park["left"], mobile=LEFT["mobile"])
    kept = Liaison.objects.filter(enterprise=park["kept"], ended_on__isnull=True).get()
    gone = _reply(left, f"我是{LEFT['name']}，已离职", "1")
    stays = _reply(kept, "收到", "2")

    counts = retention_run(now=clock.now())

    gone.refresh_from_db()
    stays.refresh_from_db()
    assert (gone.mobile, gone.text) == ("", ERASED)
    assert (stays.mobile, stays.text) == (kept.mobile, "收到")
    assert counts["sms_replies"] == 1
