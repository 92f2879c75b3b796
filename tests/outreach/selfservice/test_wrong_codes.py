"""The lifetime cap on wrong codes per personal link: five tries per code and ten guesses a
quarter of an hour still add up over 14 days; past SELF_SERVICE_WRONG_CODES_MAX the link is
locked for good, the liaison sees why, and staff are told."""

import pytest
from django.urls import reverse

from outreach.models import Task
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import (
    SELF_SERVICE_LOCKED_KIND,
    CodeRefused,
    LinkLocked,
    selfservice_code_check,
    selfservice_code_send,
)

pytestmark = pytest.mark.django_db


def test_the_default_cap_is_twenty_wrong_codes(settings):
    assert settings.SELF_SERVICE_WRONG_CODES_MAX == 20


def test_wrong_codes_add_up_over_every_code_of_the_link_until_it_locks(sent_link, settings):
    settings.SELF_SERVICE_WRONG_CODES_MAX = 12
    for _ in range(2):  # two codes, five wrong tries each
        selfservice_code_send(link=sent_link)
        for _ in range(5):
            with pytest.raises(CodeRefused):
                selfservice_code_check(link=sent_link, code="abcdef")
    selfservice_code_send(link=sent_link)
    with pytest.raises(CodeRefused):
        selfservice_code_check(link=sent_link, code="abcdef")
    assert not Task.objects.filter(kind=SELF_SERVICE_LOCKED_KIND).exists()
    with pytest.raises(LinkLocked):
        selfservice_code_check(link=sent_link, code="abcdef")  # the 12th
    link = SelfServiceLink.objects.get(pk=sent_link.pk)
    assert link.wrong_codes == 12 and link.locked_at is not None
    assert link.state() == "locked" and link.code_hash == ""
    # Dead for good: no new code, no more checks, even the right one.
    with pytest.raises(LinkLocked):
        selfservice_code_send(link=link)
    with pytest.raises(LinkLocked):
        selfservice_code_check(link=link, code="123456")
    task = Task.objects.get(kind=SELF_SERVICE_LOCKED_KIND)
    assert task.enterprise_id == sent_link.enterprise_id and task.is_open
    assert "12" in task.note


def test_the_liaison_sees_a_friendly_page_and_staff_see_the_locked_link(
    client, sent_link, settings, staff_user
):
    settings.SELF_SERVICE_WRONG_CODES_MAX = 3
    client.get(reverse("selfservice:landing", args=[sent_link.token]))
    client.post("/s/", {"action": "send"})
    statuses = [
        client.post("/s/", {"action": "check", "code": "abcdef"}).status_code for _ in range(3)
    ]
    assert statuses[:2] == [400, 400]
    assert statuses[2] == 410
    page = client.post("/s/", {"action": "check", "code": "abcdef"})
    # The pending link is gone from the session; opening it again says why.
    again = client.get(reverse("selfservice:landing", args=[sent_link.token]))
    assert again.status_code == 410
    text = again.content.decode()
    assert "锁定" in text and "上海甲乙科技有限公司" not in text
    assert page.status_code == 404
    staff = client
    staff.force_login(staff_user)
    enterprise_page = staff.get(reverse("registry:enterprise", args=[sent_link.enterprise.uscc]))
    html = enterprise_page.content.decode()
    assert 'data-state="locked"' in html and "验证码错误次数过多" in html
