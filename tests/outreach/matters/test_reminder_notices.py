"""The reminders reach staff: at 80 % of a limit the owner, past it the owner and their lead,
get an e-mail and, with a mobile on their account, an SMS, both through the outbox (a mail
server that is down is retried, not forgotten); once per matter and threshold, whatever the
number of beat runs; never with the requester's name or number."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccountProfile
from outreach.matters.models import Matter
from outreach.matters.services import matters_remind
from outreach.messaging import services as messaging
from outreach.messaging.models import MessageTemplate, OutboxMessage
from outreach.models import ContactAttempt
from registry import clock
from tests.concurrency import at_once
from tests.outreach.messaging.gateway import ScriptedSmsBackend

pytestmark = pytest.mark.django_db

OWNER_MOBILE = "13800001111"
LEAD_MOBILE = "13800002222"


@pytest.fixture
def owner(worker_a):
    worker_a.email = "wang@park.example"
    worker_a.save(update_fields=["email"])
    AccountProfile.objects.create(user=worker_a, mobile=OWNER_MOBILE)
    return worker_a


@pytest.fixture
def lead(admin_user):
    admin_user.email = "alice@park.example"
    admin_user.save(update_fields=["email"])
    return admin_user


def _reminders():
    """The reminders' SMS."""
    return OutboxMessage.objects.filter(purpose="matter-reminder", channel="sms").order_by("pk")


def _remind(at, capture):
    with capture(execute=True):
        result = matters_remind(now=at)
    # The outbox delivers what the run queued (its e-mails into Django's test mailbox).
    with time_machine.travel(at + datetime.timedelta(seconds=1), tick=False):
        messaging.outbox_drain(max_seconds=10)
    return result


def test_the_owner_gets_an_email_and_an_sms_at_80_percent_once(
    intake, owner, complaint, mailoutbox, django_capture_on_commit_callbacks
):
    matter = intake(category=complaint, disposition="routed", owner=owner)
    # Complaints: a first response within 4 hours; at 3h12 the owner is reminded.
    at = matter.received_at + datetime.timedelta(hours=3, minutes=12)

    for _run in range(3):  # the beat runs every 10 minutes: told once
        _remind(at, django_capture_on_commit_callbacks)
        _remind(at + datetime.timedelta(minutes=10), django_capture_on_commit_callbacks)

    (mail,) = mailoutbox
    assert mail.to == ["wang@park.example"]
    assert mail.subject == f"诉求 {matter.number}：首次响应时限将至"
    deadline = clock.local(matter.first_response_due).strftime("%Y-%m-%d %H:%M")
    assert f"时限 {deadline}" in mail.body and "投诉" in mail.body
    assert reverse("outreach:matters:detail", args=[matter.pk]) in mail.body
    assert "您是该诉求的承办人" in mail.body

    (sms,) = _reminders()
    assert (sms.to, sms.liaison, sms.channel, sms.status) == (OWNER_MOBILE, None, "sms", "sent")
    assert sms.template.key == "matter-reminder-sms"
    assert sms.body == (
        f"诉求办理提醒：编号{matter.number}（投诉）首次响应时限将至，时限{deadline}，"
        "请登录企业联络员管理门户及时办理。"
    )
    assert sms.params == {
        "matter_number": matter.number,
        "matter_category": "投诉",
        "matter_reminder": "首次响应时限将至",
        "matter_deadline": deadline,
    }


def test_past_the_limit_the_owner_and_their_lead_are_told(
    intake, owner, lead, complaint, tax_office, mailoutbox, django_capture_on_commit_callbacks
):
    AccountProfile.objects.create(user=lead, mobile=LEAD_MOBILE)
    matter = intake(category=complaint, disposition="routed", department=tax_office, owner=owner)
    late = matter.received_at + datetime.timedelta(hours=5)

    assert _remind(late, django_capture_on_commit_callbacks).overdue == 1
    assert _remind(late, django_capture_on_commit_callbacks).overdue == 0

    # The 80 % reminder the beat had not sent yet goes too, once (the run caught up).
    assert sorted((mail.to[0], mail.subject) for mail in mailoutbox) == [
        ("alice@park.example", f"诉求 {matter.number}：已超过首次响应时限"),
        ("wang@park.example", f"诉求 {matter.number}：已超过首次响应时限"),
        ("wang@park.example", f"诉求 {matter.number}：首次响应时限将至"),
    ]
    to_lead = next(mail for mail in mailoutbox if mail.to == ["alice@park.example"])
    assert "您是承办人所在部门的负责人" in to_lead.body
    assert sorted(sms.to for sms in _reminders()) == sorted(
        [OWNER_MOBILE, OWNER_MOBILE, LEAD_MOBILE]
    )
    assert {sms.params["matter_reminder"] for sms in _reminders().filter(to=LEAD_MOBILE)} == {
        "已超过首次响应时限"
    }


def test_a_matter_past_its_resolution_limit_says_so(
    intake, owner, tax, mailoutbox, django_capture_on_commit_callbacks
):
    matter = intake(category=tax, disposition="routed", owner=owner)
    Matter.objects.filter(pk=matter.pk).update(first_response_at=matter.received_at)
    matter.refresh_from_db()

    _remind(matter.resolution_due, django_capture_on_commit_callbacks)

    overdue = _reminders().get(params__matter_reminder="已超过办结时限")
    assert overdue.params["matter_deadline"] == clock.local(matter.resolution_due).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert any("已超过办结时限" in mail.subject for mail in mailoutbox)


def test_the_requesters_name_and_number_are_never_in_a_reminder(
    intake, owner, complaint, mailoutbox, django_capture_on_commit_callbacks
):
    matter = intake(
        category=complaint,
        disposition="routed",
        owner=owner,
        liaison=None,
        requester_name="李四",
        requester_phone="13700009999",
        description="李四来电投诉，回电 13700009999",
    )
    _remind(matter.resolution_due, django_capture_on_commit_callbacks)

    texts = [sms.body for sms in _reminders()] + [f"{m.subject}\n{m.body}" for m in mailoutbox]
    assert texts
    for text in texts:
        for personal in ("李四", "13700009999", "张伟", "13912345678", "回电"):
            assert personal not in text
    # Nor can an admin put the liaison's or the enterprise's name into the template.
    template = MessageTemplate.objects.get(key="matter-reminder-sms")
    with pytest.raises(ValidationError):
        messaging.template_update(
            template=template,
            by=None,
            name=template.name,
            subject="",
            body="{{ liaison }}：诉求{{ matter_number }}",
        )


def test_an_unidentified_callers_matter_is_mailed_and_texted(
    intake, owner, complaint, mailoutbox, django_capture_on_commit_callbacks
):
    matter = intake(
        category=complaint,
        disposition="routed",
        owner=owner,
        enterprise=None,
        liaison=None,
        requester_phone="13700009999",
    )
    _remind(matter.received_at + datetime.timedelta(hours=4), django_capture_on_commit_callbacks)

    # Filed under no enterprise, the SMS and the e-mail go all the same.
    texts = list(_reminders())  # the 80 % reminder and the overdue notice
    assert len(texts) == 2
    assert {(sms.to, sms.enterprise, sms.status) for sms in texts} == {(OWNER_MOBILE, None, "sent")}
    assert [mail.to[0] for mail in mailoutbox] == ["wang@park.example"] * 2


def test_no_address_no_message_and_an_inactive_account_gets_nothing(
    intake, worker_a, staff_user, complaint, mailoutbox, django_capture_on_commit_callbacks
):
    intake(category=complaint, disposition="routed", owner=worker_a)  # no e-mail, no mobile
    matter = intake(category=complaint, disposition="routed", owner=staff_user)
    staff_user.email, staff_user.is_active = "sam@park.example", False  # left the park
    staff_user.save(update_fields=["email", "is_active"])
    AccountProfile.objects.create(user=staff_user, mobile=LEAD_MOBILE)

    result = _remind(
        matter.received_at + datetime.timedelta(hours=5), django_capture_on_commit_callbacks
    )

    assert result.overdue == 2  # the portal's steps are written all the same
    assert not mailoutbox and not _reminders().exists()


def test_an_undeliverable_reminder_is_no_failed_contact_of_the_enterprise(
    intake, owner, complaint, enterprise_a, django_capture_on_commit_callbacks
):
    matter = intake(category=complaint, disposition="routed", owner=owner)
    late = matter.received_at + datetime.timedelta(hours=5)
    ScriptedSmsBackend.reset()
    ScriptedSmsBackend.refuse.add(OWNER_MOBILE)
    try:
        with (
            time_machine.travel(late, tick=False),
            override_settings(SMS_BACKEND="tests.outreach.messaging.gateway.ScriptedSmsBackend"),
        ):
            _remind(late, django_capture_on_commit_callbacks)
            messaging.outbox_drain(max_seconds=10)
    finally:
        ScriptedSmsBackend.reset()

    assert set(_reminders().values_list("status", flat=True)) == {"failed"}
    assert not ContactAttempt.objects.filter(enterprise=enterprise_a).exists()


def test_a_remind_run_over_many_matters_takes_a_bounded_number_of_queries(
    intake, owner, lead, complaint, tax_office, django_assert_max_num_queries
):
    matters = [
        intake(category=complaint, disposition="routed", department=tax_office, owner=owner)
        for _ in range(12)
    ]
    # The SMS and the e-mails are one INSERT each, whatever the number of matters.
    with django_assert_max_num_queries(15):
        result = matters_remind(now=matters[-1].received_at + datetime.timedelta(hours=5))
    assert result.overdue == 12
    assert _reminders().count() == 24  # each matter: the 80 % reminder and the overdue one


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_notice_once(enterprise_a, worker_a, staff_user, mailoutbox):
    from outreach.matters.defaults import categories_ensure_defaults
    from outreach.matters.models import MatterCategory
    from outreach.matters.services import matter_intake
    from outreach.messaging.defaults import templates_ensure_defaults

    categories_ensure_defaults()
    templates_ensure_defaults()
    worker_a.email = "wang@park.example"
    worker_a.save(update_fields=["email"])
    AccountProfile.objects.create(user=worker_a, mobile=OWNER_MOBILE)
    matter = matter_intake(
        channel="phone",
        category=MatterCategory.objects.get(name="投诉"),
        description="投诉",
        by=staff_user,
        enterprise=enterprise_a,
        disposition="routed",
        owner=worker_a,
    )
    late = matter.received_at + datetime.timedelta(days=30)

    _results, errors = at_once(lambda: matters_remind(now=late))
    with time_machine.travel(late + datetime.timedelta(seconds=1), tick=False):
        messaging.outbox_drain(max_seconds=10)

    assert not errors
    # The two 80 % reminders (first response, resolution) and the overdue notice.
    assert _reminders().count() == 3
    assert sorted(mail.subject for mail in mailoutbox) == sorted(
        [
            f"诉求 {matter.number}：首次响应时限将至",
            f"诉求 {matter.number}：办结时限将至",
            f"诉求 {matter.number}：已超过首次响应时限",
        ]
    )


def _closed_port() -> int:
    """A local port nobody listens on: a mail server that is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_reminder_email_the_mail_server_did_not_take_is_sent_again_later(
    intake, owner, complaint, mailoutbox, django_capture_on_commit_callbacks
):
    matter = intake(category=complaint, disposition="routed", owner=owner)
    at = matter.received_at + datetime.timedelta(hours=3, minutes=12)
    with django_capture_on_commit_callbacks(execute=True):
        matters_remind(now=at)
    mail = OutboxMessage.objects.get(purpose="matter-reminder", channel="email")

    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=_closed_port(),
            EMAIL_TIMEOUT=2,
        ),
        time_machine.travel(at + datetime.timedelta(seconds=1), tick=False),
    ):
        messaging.outbox_drain(max_seconds=10)
    mail.refresh_from_db()
    assert (mail.status, mail.problem, mail.attempts) == ("queued", "temporary", 1)
    assert mail.next_attempt_at > at and not mailoutbox

    # The server is back: the next drain after the backoff delivers it, once.
    with time_machine.travel(mail.next_attempt_at + datetime.timedelta(seconds=1), tick=False):
        messaging.outbox_drain(max_seconds=10)
        messaging.outbox_drain(max_seconds=10)
    mail.refresh_from_db()
    assert mail.status == "sent"
    (delivered,) = mailoutbox
    assert delivered.to == ["wang@park.example"]
    assert delivered.subject == f"诉求 {matter.number}：首次响应时限将至"
