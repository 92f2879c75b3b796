"""Answers by e-mail, and answers to requesters whose enterprise is not identified yet: a matter
that came by e-mail (or whose requester gave an address) gets its answer and the 回访 link by
e-mail through the outbox; a caller not yet tied to an enterprise still gets the answer at
their own number or address, on a message filed under no enterprise; the address is personal
data, masked like the phone."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.models import Matter
from outreach.messaging import services as messaging
from outreach.messaging.models import OutboxMessage
from registry import clock
from registry.models import SensitiveView
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

EMAIL = "li.kuaiji@example.com"


def _answered(matter, by, **kwargs):
    matter = services.matter_route(matter=matter, by=by, owner=by)
    matter = services.matter_take(matter=matter, by=by)
    return services.matter_answer(
        matter=matter,
        by=by,
        answer="已为您办理退税，款项5个工作日内到账。",
        resolved=True,
        **kwargs,
    )


def _delivered():
    with time_machine.travel(clock.now() + datetime.timedelta(seconds=1), tick=False):
        messaging.outbox_drain(max_seconds=10)


def test_a_matter_that_came_by_email_is_answered_by_email_with_the_feedback_link(
    intake, staff_user, mailoutbox
):
    matter = intake(channel="email", liaison=None, requester_name="李会计", requester_email=EMAIL)
    matter = _answered(matter, staff_user)

    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert (message.channel, message.to, message.liaison) == ("email", EMAIL, None)
    _delivered()
    (mail,) = mailoutbox
    assert mail.to == [EMAIL]
    assert mail.subject == f"您反映的诉求（编号{matter.number}）已办结"
    assert mail.body.startswith("李会计您好")
    assert "已为您办理退税，款项5个工作日内到账。" in mail.body  # the answer itself
    assert matter.feedback_token in mail.body  # and the 回访 link


def test_an_unresolved_answer_by_email_says_the_next_step_and_by_when(
    intake, staff_user, mailoutbox
):
    matter = intake(liaison=None, requester_name="李会计", requester_email=EMAIL)
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    matter = services.matter_take(matter=matter, by=staff_user)
    due = clock.today() + datetime.timedelta(days=3)
    services.matter_answer(
        matter=matter,
        by=staff_user,
        answer="材料尚缺一份。",
        resolved=False,
        next_step="补交租赁合同后复核",
        next_step_on=due,
    )
    _delivered()
    (mail,) = mailoutbox
    assert "正在处理中" in mail.subject
    assert "补交租赁合同后复核" in mail.body and due.isoformat() in mail.body


def test_the_liaison_of_an_email_matter_is_answered_at_the_address_on_file(
    intake, staff_user, enterprise_a, mailoutbox
):
    liaison = enterprise_a.current_liaison
    liaison.email = "zhang.wei@example.com"
    liaison.save(update_fields=["email"])
    _answered(intake(channel="email"), staff_user)

    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert (message.channel, message.to, message.liaison) == (
        "email",
        "zhang.wei@example.com",
        liaison,
    )


def test_an_email_matter_from_a_liaison_with_no_address_on_file_is_answered_by_sms(
    intake, staff_user
):
    _answered(intake(channel="email"), staff_user)  # the liaison has no e-mail on file
    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert (message.channel, message.to) == ("sms", "13912345678")


def test_a_bad_address_is_refused_naming_the_field_and_nothing_is_written(intake):
    with pytest.raises(ServiceError) as refused:
        intake(liaison=None, requester_name="李会计", requester_email="li@")
    assert refused.value.field == "requester_email"
    assert not Matter.objects.exists()


# --- Not identified yet --------------------------------------------------------------------


def test_an_unidentified_callers_answer_goes_to_their_number_filed_under_no_enterprise(
    intake, staff_user
):
    matter = intake(
        enterprise=None, liaison=None, requester_name="王先生", requester_phone="13700009999"
    )
    matter = _answered(matter, staff_user)

    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert (message.enterprise, message.liaison, message.to) == (None, None, "13700009999")
    assert message.body.startswith("王先生您好") and matter.feedback_token in message.body
    answer_step = matter.steps.get(action="answer")
    assert "No message" not in answer_step.note and "未发送" not in answer_step.note
    _delivered()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_an_unidentified_email_requester_gets_the_answer_by_email(intake, staff_user, mailoutbox):
    matter = intake(channel="email", enterprise=None, liaison=None, requester_email=EMAIL)
    _answered(matter, staff_user)
    _delivered()
    (mail,) = mailoutbox
    assert mail.to == [EMAIL]


def test_a_caller_who_left_no_number_or_address_is_told_directly_and_the_step_says_so(
    intake, staff_user
):
    matter = intake(enterprise=None, liaison=None, requester_name="王先生")
    matter = _answered(matter, staff_user)
    assert not OutboxMessage.objects.filter(purpose="matter_answer").exists()
    assert "\n" in matter.steps.get(action="answer").note  # the answer, then why no message


# --- Masked like the phone ----------------------------------------------------------------


def test_the_address_is_masked_on_the_page_and_shown_by_a_logged_show(
    client, intake, staff_user, auditor
):
    matter = intake(liaison=None, requester_name="李会计", requester_email=EMAIL)
    url = reverse("outreach:matters:detail", args=[matter.pk])

    client.force_login(auditor)
    page = client.get(url).content.decode()
    assert EMAIL not in page and "l***@example.com" in page
    assert 'data-testid="show-requester-email"' not in page
    reveal = reverse("outreach:matters:reveal_email", args=[matter.pk])
    assert client.post(reveal).status_code == 403

    client.force_login(staff_user)
    page = client.get(url).content.decode()
    assert EMAIL not in page and 'data-testid="show-requester-email"' in page
    shown = client.post(reveal)
    assert shown.status_code == 200 and EMAIL in shown.content.decode()
    (view,) = SensitiveView.objects.all()
    assert (view.field, view.user) == ("requester_email", staff_user)


def test_the_api_takes_the_address_and_answers_it_masked(staff_user, tax):
    response = token_client(staff_user).post(
        "/api/matters/",
        {
            "category": tax.pk,
            "description": "邮件来信：咨询退税进度",
            "channel": "email",
            "requester_name": "李会计",
            "requester_email": EMAIL,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["requester_email"] == "l***@example.com"
    assert Matter.objects.get().requester_email == EMAIL

    bad = token_client(staff_user).post(
        "/api/matters/",
        {"category": tax.pk, "description": "x", "requester_email": "not-an-address"},
        format="json",
    )
    assert bad.status_code == 400 and "requester_email" in bad.json()["errors"]


def test_the_outbox_lists_an_answer_filed_under_no_enterprise_with_the_address_masked(
    client, intake, staff_user, worker_a
):
    matter = intake(channel="email", enterprise=None, liaison=None, requester_email=EMAIL)
    _answered(matter, staff_user)
    url = reverse("messaging:outbox")

    client.force_login(staff_user)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "l***@example.com" in text and EMAIL not in text
    assert "尚未关联企业" in text
    # A grid worker sees their grids' messages only: one filed under no enterprise is not.
    client.force_login(worker_a)
    assert "l***@example.com" not in client.get(url).content.decode()


def test_failed_receipts_for_a_requester_filed_under_no_enterprise_and_a_liaison_together(
    enterprise_a,
):
    """A push mixing an unidentified requester's answer with a liaison's message: the
    liaison's failure is a failed contact, the requester's is not, and neither is lost."""
    from outreach.messaging.inbound.payloads import Receipt
    from outreach.messaging.inbound.receipts import receipts_record
    from outreach.models import ContactAttempt

    now = clock.now()
    sent = {"status": OutboxMessage.Status.SENT, "sent_at": now, "body": "x", "purpose": "t"}
    to_liaison = OutboxMessage.objects.create(
        enterprise=enterprise_a,
        liaison=enterprise_a.current_liaison,
        channel="sms",
        to="13912345678",
        gateway_id="serial-1",
        **sent,
    )
    to_requester = OutboxMessage.objects.create(
        enterprise=None, channel="sms", to="13700009999", gateway_id="serial-2", **sent
    )
    receipts = [
        Receipt(
            out_id="",
            gateway_id=row.gateway_id,
            mobile=row.to,
            delivered=False,
            code="MK:0001",
            detail="空号",
            at=None,
        )
        for row in (to_requester, to_liaison)
    ]

    receipts_record(receipts=receipts)

    for row in (to_liaison, to_requester):
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.FAILED
    (attempt,) = ContactAttempt.objects.all()
    assert attempt.enterprise == enterprise_a
