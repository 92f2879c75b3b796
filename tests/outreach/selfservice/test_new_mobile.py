"""A liaison changing their own mobile through the link (issue 14): a code goes to the NEW
number first; until it comes back the old number stays on file and nothing is saved; a
wrong or expired code is refused in Chinese."""

import datetime

import pytest
import time_machine

from outreach.messaging.models import OutboxMessage
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import (
    CodeRefused,
    MobileCodeRequired,
    selfservice_details_correct,
    selfservice_mobile_code_send,
)
from registry import clock
from registry.models import Liaison
from tests.outreach.selfservice.conftest import code_in
from tests.outreach.selfservice.test_pages import _correct_data, _unlock

pytestmark = pytest.mark.django_db

OLD = "13912345678"  # enterprise_a's liaison
NEW = "13700009999"
FORM = "/s/form/"


def _new_mobile_message() -> OutboxMessage:
    return OutboxMessage.objects.filter(purpose="self-service-code", to=NEW).latest("id")


def _mobile() -> str:
    return Liaison.objects.get(ended_on__isnull=True).mobile


def test_a_new_mobile_gets_a_code_first_and_the_old_one_stays(client, sent_link):
    _unlock(client, sent_link)
    response = client.post(FORM, _correct_data(**{"correct-mobile": NEW}))
    assert response.status_code == 200
    page = response.content.decode()
    # The liaison is told where the code went and that nothing changed yet.
    assert "137****9999" in page and "139****5678" in page
    assert "尚未保存" in page or "未保存" in page
    assert 'name="correct-mobile_code"' in page
    assert _new_mobile_message().body.startswith("您的验证码为")
    assert _mobile() == OLD
    assert Liaison.objects.get(ended_on__isnull=True).position == ""
    assert SelfServiceLink.objects.get(pk=sent_link.pk).used_at is None


def test_the_right_code_saves_the_new_mobile_with_the_rest(client, sent_link):
    _unlock(client, sent_link)
    client.post(FORM, _correct_data(**{"correct-mobile": NEW}))
    code = code_in(_new_mobile_message())
    response = client.post(
        FORM, _correct_data(**{"correct-mobile": NEW, "correct-mobile_code": code})
    )
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    liaison = Liaison.objects.get(ended_on__isnull=True)
    assert liaison.mobile == NEW and liaison.position == "行政经理"


def test_a_wrong_code_is_refused_in_chinese_and_nothing_changes(client, sent_link):
    _unlock(client, sent_link)
    client.post(FORM, _correct_data(**{"correct-mobile": NEW}))
    code = code_in(_new_mobile_message())
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(
        FORM, _correct_data(**{"correct-mobile": NEW, "correct-mobile_code": wrong})
    )
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode() or "验证码" in response.content.decode()
    assert _mobile() == OLD
    assert SelfServiceLink.objects.get(pk=sent_link.pk).mobile_code_tries_left == 4


def test_the_code_is_bound_to_the_number_it_was_sent_to(client, sent_link):
    _unlock(client, sent_link)
    client.post(FORM, _correct_data(**{"correct-mobile": NEW}))
    code = code_in(_new_mobile_message())
    response = client.post(
        FORM, _correct_data(**{"correct-mobile": "13700008888", "correct-mobile_code": code})
    )
    assert response.status_code == 400
    assert _mobile() == OLD


def test_an_expired_code_is_refused_and_a_new_one_can_be_sent(client, sent_link):
    _unlock(client, sent_link)
    client.post(FORM, _correct_data(**{"correct-mobile": NEW}))
    code = code_in(_new_mobile_message())
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=11)):
        response = client.post(
            FORM, _correct_data(**{"correct-mobile": NEW, "correct-mobile_code": code})
        )
        assert response.status_code == 400
        assert "已过期" in response.content.decode()
        assert _mobile() == OLD
        response = client.post(
            FORM, _correct_data(**{"action": "correct_resend", "correct-mobile": NEW})
        )
        assert response.status_code == 200
        fresh = code_in(_new_mobile_message())
        response = client.post(
            FORM, _correct_data(**{"correct-mobile": NEW, "correct-mobile_code": fresh})
        )
    assert response.status_code == 200
    assert _mobile() == NEW


def test_the_same_mobile_needs_no_code(client, sent_link):
    _unlock(client, sent_link)
    response = client.post(FORM, _correct_data(**{"correct-mobile": "139 1234 5678"}))
    assert response.status_code == 200
    assert not OutboxMessage.objects.filter(purpose="self-service-code", to=NEW).exists()


def test_the_service_refuses_a_new_mobile_without_its_code(sent_link):
    """Whichever door calls it: no code, no new number."""
    details = {"name": "张伟", "mobile": NEW}
    with pytest.raises(MobileCodeRequired):
        selfservice_details_correct(link=sent_link, notice_version="t", liaison_details=details)
    selfservice_mobile_code_send(link=sent_link, mobile=NEW)
    with pytest.raises(CodeRefused):
        selfservice_details_correct(
            link=sent_link, notice_version="t", liaison_details=details, mobile_code="000000"
        )
    assert _mobile() == OLD
