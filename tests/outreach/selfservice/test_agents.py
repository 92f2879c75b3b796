"""An agent (代账), liaison of several enterprises with one mobile, confirms or corrects
each of them in one visit: one link opened, one code sent, every enterprise listed."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.notice import data_use_notice
from outreach.selfservice.services import VISIT_SECONDS, selfservice_link_send
from registry import clock
from registry.models import Liaison
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.selfservice.conftest import code_in

pytestmark = pytest.mark.django_db

NOTICE = data_use_notice().version
AGENT = "13912345678"  # enterprise_a's liaison's mobile (tests/conftest.py)
FORM = "/s/form/"


@pytest.fixture
def clients_of_the_agent(grid_a):
    """Two more enterprises with the agent as liaison, and one with someone else."""
    b = EnterpriseFactory(grid=grid_a, name="代账客户乙有限公司")
    c = EnterpriseFactory(grid=grid_a, name="代账客户丙有限公司")
    stranger = EnterpriseFactory(grid=grid_a, name="无关企业有限公司")
    LiaisonFactory(enterprise=b, name="张伟", mobile=AGENT)
    LiaisonFactory(enterprise=c, name="张伟", mobile=AGENT)
    LiaisonFactory(enterprise=stranger, name="李雷", mobile="13000000001")
    return b, c, stranger


def _unlock(client, link):
    client.get(reverse("selfservice:landing", args=[link.token]), follow=True)
    client.post("/s/", {"action": "send"})
    code = code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))
    return client.post("/s/", {"action": "check", "code": code}, follow=True)


def _go_to(client, enterprise):
    return client.post(reverse("selfservice:other"), {"enterprise": enterprise.pk}, follow=True)


def test_one_code_checks_every_enterprise_of_the_agent(
    client, enterprise_a, staff_user, clients_of_the_agent
):
    b, c, stranger = clients_of_the_agent
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    page = _unlock(client, link).content.decode()
    assert b.name in page and c.name in page and stranger.name not in page

    # A: confirmed; the thank-you page lists B and C still to check.
    done = client.post(FORM, {"action": "confirm", "confirm-accept_notice": NOTICE})
    assert b.name in done.content.decode() and c.name in done.content.decode()
    # B: corrected, no new code asked for.
    form = _go_to(client, b)
    assert form.status_code == 200 and f"<h1>{b.name}</h1>" in form.content.decode()
    done = client.post(
        FORM,
        {
            "action": "correct",
            "correct-name": "张伟",
            "correct-mobile": AGENT,
            "correct-position": "代账会计",
            "correct-accept_notice": NOTICE,
        },
    )
    assert done.status_code == 200, done.content.decode()
    assert Liaison.objects.get(enterprise=b, ended_on=None).position == "代账会计"
    left = done.content.decode()
    assert c.name in left and b.name not in left.split("agent-enterprises")[1]
    # C: confirmed.
    _go_to(client, c)
    client.post(FORM, {"action": "confirm", "confirm-accept_notice": NOTICE})

    assert OutboxMessage.objects.filter(purpose="self-service-code").count() == 1
    reached = ContactAttempt.objects.filter(channel="self_service", verified=True)
    assert set(reached.values_list("enterprise", flat=True)) == {enterprise_a.pk, b.pk, c.pk}


def test_another_persons_enterprise_cannot_be_opened(
    client, enterprise_a, staff_user, clients_of_the_agent
):
    _b, _c, stranger = clients_of_the_agent
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    _unlock(client, link)
    response = _go_to(client, stranger)
    assert response.status_code == 404 and stranger.name not in response.content.decode()
    assert not SelfServiceLink.objects.filter(enterprise=stranger).exists()
    # Garbage is the same friendly 404.
    assert client.post(reverse("selfservice:other"), {"enterprise": "x"}).status_code == 404


def test_without_a_code_entered_there_is_no_visit(
    client, enterprise_a, staff_user, clients_of_the_agent
):
    b, _c, _stranger = clients_of_the_agent
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    client.get(reverse("selfservice:landing", args=[link.token]), follow=True)
    assert _go_to(client, b).status_code == 404
    assert not SelfServiceLink.objects.filter(enterprise=b).exists()


def test_the_visit_ends_with_its_time(client, enterprise_a, staff_user, clients_of_the_agent):
    b, _c, _stranger = clients_of_the_agent
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    _unlock(client, link)
    later = clock.now() + datetime.timedelta(seconds=VISIT_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        assert _go_to(client, b).status_code == 404


def test_a_liaison_of_one_enterprise_sees_no_list(client, enterprise_a, staff_user):
    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    page = _unlock(client, link).content.decode()
    assert 'data-testid="agent-enterprises"' not in page
