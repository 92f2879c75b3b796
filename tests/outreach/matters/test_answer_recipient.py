"""Whom the answer goes to, and when it cannot go: a requester who is not the liaison gets the
answer and the 回访 link at their own number, on a message tied to no liaison (so that number
failing says nothing about the liaison's light); with a real SMS provider, an answer whose
template has no approved code is refused before anything is written."""

import pytest
from django.test import override_settings
from django.urls import reverse

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.models import Matter
from outreach.messaging import services as messaging
from outreach.messaging.models import MessageTemplate, OutboxMessage
from outreach.messaging.services import Recipient
from outreach.models import ContactAttempt
from tests.outreach.messaging.gateway import ScriptedSmsBackend
from tests.outreach.messaging.providers import provider  # noqa: F401 (each SMS provider's stand-in)

pytestmark = pytest.mark.django_db

REQUESTER = "13800001111"


@pytest.fixture
def gateway():
    ScriptedSmsBackend.reset()
    with override_settings(SMS_BACKEND="tests.outreach.messaging.gateway.ScriptedSmsBackend"):
        yield ScriptedSmsBackend
    ScriptedSmsBackend.reset()


def _in_progress(matter, by):
    matter = services.matter_route(matter=matter, by=by, owner=by)
    return services.matter_take(matter=matter, by=by)


def _from_the_finance_manager(intake, **kwargs):
    return intake(liaison=None, requester_name="李会计", requester_phone=REQUESTER, **kwargs)


def test_the_answer_to_someone_other_than_the_liaison_goes_to_their_number(
    intake, staff_user, enterprise_a
):
    matter = _in_progress(_from_the_finance_manager(intake), staff_user)
    matter = services.matter_answer(matter=matter, by=staff_user, answer="已办结。", resolved=True)

    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert message.to == REQUESTER
    assert message.liaison is None  # not the enterprise's liaison 张伟
    assert message.body.startswith("李会计您好")
    assert matter.feedback_token in message.body  # the 回访 link
    assert message.status == OutboxMessage.Status.QUEUED


def test_the_answer_to_the_liaison_still_goes_to_the_liaison(intake, staff_user, enterprise_a):
    matter = _in_progress(intake(), staff_user)
    services.matter_answer(matter=matter, by=staff_user, answer="已办结。", resolved=True)
    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert message.liaison == enterprise_a.current_liaison
    assert message.to == "13912345678" and message.body.startswith("张伟您好")


def test_an_undeliverable_answer_to_someone_else_does_not_count_against_the_liaison(
    intake, staff_user, enterprise_a, gateway
):
    gateway.refuse.add(REQUESTER)
    matter = _in_progress(_from_the_finance_manager(intake), staff_user)
    services.matter_answer(matter=matter, by=staff_user, answer="已办结。", resolved=True)
    messaging.outbox_drain(max_seconds=10)

    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert message.status == OutboxMessage.Status.FAILED
    assert not ContactAttempt.objects.filter(enterprise=enterprise_a).exists()


def test_an_undeliverable_answer_to_the_liaison_is_a_failed_contact(
    intake, staff_user, enterprise_a, gateway
):
    gateway.refuse.add("13912345678")
    matter = _in_progress(intake(), staff_user)
    services.matter_answer(matter=matter, by=staff_user, answer="已办结。", resolved=True)
    messaging.outbox_drain(max_seconds=10)

    [attempt] = ContactAttempt.objects.filter(enterprise=enterprise_a)
    assert attempt.liaison == enterprise_a.current_liaison
    assert attempt.outcome == ContactAttempt.Outcome.NOT_IN_SERVICE


def test_a_recipient_is_named_instead_of_a_liaison_never_beside_one(enterprise_a):
    with pytest.raises(ValueError):
        messaging.message_enqueue(
            enterprise=enterprise_a,
            liaison=enterprise_a.current_liaison,
            recipient=Recipient(name="李会计", address=REQUESTER),
            template="matter-answer-sms",
            purpose="t",
        )
    unreachable = messaging.message_enqueue(
        enterprise=enterprise_a,
        recipient=Recipient(name="李会计", address=""),
        template="matter-answer-sms",
        purpose="t",
    )
    assert unreachable.status == OutboxMessage.Status.SKIPPED
    assert unreachable.problem == OutboxMessage.Problem.NO_ADDRESS
    assert unreachable.liaison is None


# --- A real SMS provider: the answer's template needs its approved code ------------------------


def test_an_answer_without_an_approved_template_is_refused_before_anything_is_written(
    intake,
    staff_user,
    provider,  # noqa: F811
):
    matter = _in_progress(intake(), staff_user)
    steps = matter.steps.count()
    with pytest.raises(ServiceError) as refused:
        services.matter_answer(matter=matter, by=staff_user, answer="已办结。", resolved=True)
    assert refused.value.code == "sms_unapproved"
    assert "诉求答复（短信）" in refused.value.message and "审核" in refused.value.message
    matter.refresh_from_db()
    assert matter.state == Matter.State.IN_PROGRESS and matter.answer == ""
    assert matter.steps.count() == steps
    assert not OutboxMessage.objects.exists()

    provider.approve(MessageTemplate.objects.get(key="matter-answer-sms"))
    matter = services.matter_answer(matter=matter, by=staff_user, answer="已办结。", resolved=True)
    assert matter.state == Matter.State.ANSWERED
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.QUEUED


def test_the_answer_page_says_why_and_keeps_the_text(client, intake, staff_user, provider):  # noqa: F811
    matter = _in_progress(intake(), staff_user)
    client.force_login(staff_user)
    response = client.post(
        reverse("outreach:matters:answer", args=[matter.pk]),
        {"answer": "请携带营业执照办理。", "resolved": "yes", "version": matter.version},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有审核通过的模板编号" in page
    assert "请携带营业执照办理。" in page  # the text typed is still there
    assert Matter.objects.get().state == Matter.State.IN_PROGRESS


def test_answered_on_the_spot_without_an_approved_template_takes_nothing_in(
    intake,
    provider,  # noqa: F811
):
    with pytest.raises(ServiceError) as refused:
        intake(disposition="answered", answer="可在线办理。")
    assert refused.value.code == "sms_unapproved"
    assert not Matter.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_answer_no_sms_would_carry_needs_no_approved_template(
    intake,
    staff_user,
    provider,  # noqa: F811
):
    # A walk-in who left a landline only: the answer is given in person, nothing is sent.
    matter = intake(
        liaison=None,
        requester_name="王先生",
        requester_phone="0571-87654321",
        disposition="answered",
        answer="当面告知。",
    )
    assert matter.state == Matter.State.CLOSED
    assert not OutboxMessage.objects.exists()
