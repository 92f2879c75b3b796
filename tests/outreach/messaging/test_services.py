"""The outbox's rules without a worker: what is written, when it is sent, what a failure does."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core.errors import ServiceError
from outreach.messaging import leasing, services
from outreach.messaging.defaults import OWN_PLACEHOLDERS
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.messaging.rendering import LEAVING_LINE, render
from outreach.messaging.signals import message_undeliverable
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import campaign_send

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def _drain():
    return services.outbox_drain(max_seconds=10)


def test_the_default_templates_are_in_chinese_and_end_with_the_leaving_line():
    templates = MessageTemplate.objects.all()
    assert {t.key for t in templates} >= {
        "annual-report-sms",
        "annual-report-email",
        "holiday-greeting-sms",
        "severe-weather-sms",
        "general-reminder-sms",
    }
    # The portal's own messages (a one-time code, the staff correction notice) are no contact.
    for template in templates.exclude(key__in=OWN_PLACEHOLDERS):
        assert template.body.rstrip().endswith(LEAVING_LINE) or LEAVING_LINE in template.body


def test_a_message_is_written_with_the_liaisons_number_and_the_text_filled_in(
    enterprise_a, staff_user
):
    message = services.message_enqueue(
        enterprise=enterprise_a, template="general-reminder-sms", purpose="reminder", by=staff_user
    )
    assert (message.status, message.to, message.channel) == (Status.QUEUED, "13912345678", "sms")
    assert message.body.startswith("张伟您好：园区企业服务中心提醒上海甲乙科技有限公司")
    assert message.liaison == enterprise_a.current_liaison


def test_a_rolled_back_change_leaves_no_message(enterprise_a, staff_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.message_enqueue(
            enterprise=enterprise_a, template="general-reminder-sms", purpose="t", by=staff_user
        )
        raise RuntimeError("the business change failed")
    assert not OutboxMessage.objects.exists()


def test_an_enterprise_without_a_liaison_gets_a_not_sent_row_saying_why(grid_a, staff_user):
    enterprise = EnterpriseFactory(grid=grid_a)
    message = services.message_enqueue(
        enterprise=enterprise, template="general-reminder-sms", purpose="t", by=staff_user
    )
    assert (message.status, message.problem) == (Status.SKIPPED, "no_liaison")


def test_a_self_service_link_fills_the_link_placeholder(enterprise_a):
    message = services.message_enqueue(
        enterprise=enterprise_a,
        channel="sms",
        body="{{ liaison }}您好，请点击 {{ link }} 确认信息。",
        context={"link": "https://portal.example/l/abc"},
        purpose="self_service_link",
    )
    assert message.body == "张伟您好，请点击 https://portal.example/l/abc 确认信息。"


def test_a_queued_message_is_sent_once_and_marked_sent(enterprise_a, gateway):
    message = services.message_enqueue(
        enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
    )
    assert _drain() == 1
    assert _drain() == 0  # nothing left: a second drain sends nothing again
    message.refresh_from_db()
    assert (message.status, message.attempts, message.gateway_id) == (
        Status.SENT,
        1,
        f"gw-outbox-{message.pk}",
    )
    [(to, text, key)] = gateway.delivered
    assert (to, key) == ("13912345678", f"outbox-{message.pk}")
    assert text.startswith("【园区企业服务】张伟您好")


def test_a_temporary_failure_is_retried_later_with_growing_pauses(enterprise_a, gateway):
    gateway.down.add("13912345678")
    message = services.message_enqueue(
        enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
    )
    pauses = []
    now = timezone.now()
    for _ in range(3):
        with time_machine.travel(now, tick=False):
            _drain()
        message.refresh_from_db()
        assert message.status == Status.QUEUED
        assert message.problem == "temporary"
        pauses.append((message.next_attempt_at - now).total_seconds())
        now = message.next_attempt_at + datetime.timedelta(seconds=1)
    assert pauses == [60, 120, 240]
    # Not due yet: the next drain leaves it alone.
    assert _drain() == 0

    gateway.down.clear()
    with time_machine.travel(now, tick=False):
        _drain()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.problem) == (Status.SENT, 4, "")


@override_settings(OUTBOX_MAX_ATTEMPTS=2, OUTBOX_RETRY_BASE_SECONDS=0)
def test_after_the_last_attempt_it_gives_up_without_blaming_the_liaison(enterprise_a, gateway):
    gateway.down.add("13912345678")
    received = []
    message_undeliverable.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        message = services.message_enqueue(
            enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
        )
        _drain()
        _drain()
    finally:
        message_undeliverable.disconnect(dispatch_uid="t1")
    message.refresh_from_db()
    assert (message.status, message.problem, message.attempts) == (Status.FAILED, "gave_up", 2)
    assert received == []


def test_an_invalid_number_fails_at_once_and_tells_the_contact_log(enterprise_a, gateway):
    gateway.refuse.add("13912345678")
    received = []

    def receiver(sender, message, channel, **kwargs):
        received.append((message.enterprise, message.liaison, channel, message.status))

    message_undeliverable.connect(receiver, dispatch_uid="t2")
    try:
        message = services.message_enqueue(
            enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
        )
        _drain()
    finally:
        message_undeliverable.disconnect(dispatch_uid="t2")
    message.refresh_from_db()
    assert (message.status, message.problem, message.attempts) == (
        Status.FAILED,
        "invalid_address",
        1,
    )
    assert received == [(enterprise_a, enterprise_a.current_liaison, "sms", Status.FAILED)]
    assert _drain() == 0  # never retried


def test_the_failure_mark_and_the_receivers_writes_share_one_transaction(enterprise_a, gateway):
    """If recording the failed contact attempt fails, the message is not marked failed
    either (it stays leased and is retried), so the two never disagree."""
    gateway.refuse.add("13912345678")

    def broken_receiver(**kwargs):
        raise RuntimeError("contact log unavailable")

    message_undeliverable.connect(broken_receiver, dispatch_uid="t3")
    try:
        message = services.message_enqueue(
            enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
        )
        with pytest.raises(RuntimeError):
            _drain()
    finally:
        message_undeliverable.disconnect(dispatch_uid="t3")
    message.refresh_from_db()
    assert message.status == Status.SENDING


def test_two_workers_claiming_at_once_never_get_the_same_message(grid_a):
    for _ in range(5):
        enterprise = EnterpriseFactory(grid=grid_a)
        LiaisonFactory(enterprise=enterprise)
        services.message_enqueue(
            enterprise=enterprise, template="general-reminder-sms", purpose="t"
        )
    first = services.outbox_claim(limit=3)
    second = services.outbox_claim(limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert services.outbox_claim(limit=3) == []


def test_a_message_whose_sender_died_is_claimed_again_after_its_lease(enterprise_a, gateway):
    message = services.message_enqueue(
        enterprise=enterprise_a, template="general-reminder-sms", purpose="t"
    )
    [claimed] = services.outbox_claim(limit=10)  # ...and the worker dies here
    assert services.outbox_claim(limit=10) == []  # leased: nobody else takes it
    later = timezone.now() + datetime.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        [again] = services.outbox_claim(limit=10)
        services.message_deliver(message=again)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    # The dead worker's late mark is refused: the claim is no longer its own.
    assert leasing.still_mine(claimed).count() == 0


def test_an_email_carries_its_key_and_a_refused_recipient_bounces(grid_a, gateway):
    enterprise = EnterpriseFactory(grid=grid_a, name="苏州某某有限公司")
    LiaisonFactory(enterprise=enterprise, name="李娜", email="lina@example.com")
    message = services.message_enqueue(
        enterprise=enterprise, template="annual-report-email", purpose="t"
    )
    _drain()
    [email] = mail.outbox
    assert email.to == ["lina@example.com"]
    assert email.subject == "【年报提醒】苏州某某有限公司请于6月30日前报送年度报告"
    assert email.extra_headers["X-Outbox-Key"] == f"outbox-{message.pk}"
    message.refresh_from_db()
    assert message.status == Status.SENT

    services.message_bounce_record(message=message, detail="550 mailbox unavailable")
    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.FAILED, "bounced")


def test_an_smtp_refusal_is_a_bounce(grid_a, monkeypatch):
    enterprise = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=enterprise, email="gone@example.com")
    message = services.message_enqueue(
        enterprise=enterprise, template="annual-report-email", purpose="t"
    )

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"gone@example.com": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    _drain()
    message.refresh_from_db()
    assert (message.status, message.problem) == (Status.FAILED, "bounced")


# --- Campaigns --------------------------------------------------------------------------


@pytest.fixture
def park(grid_a, grid_b):
    """Grid A: three enterprises with liaisons (one without e-mail), one without a liaison;
    grid B: two with liaisons."""
    for i, email in enumerate(["a1@example.com", "a2@example.com", ""]):
        LiaisonFactory(
            enterprise=EnterpriseFactory(grid=grid_a, name=f"甲区企业{i}"),
            name=f"甲{i}",
            email=email,
        )
    EnterpriseFactory(grid=grid_a, name="甲区无联络员企业")
    for i in range(2):
        LiaisonFactory(
            enterprise=EnterpriseFactory(grid=grid_b, name=f"乙区企业{i}"), name=f"乙{i}"
        )


def _campaign(by, *, kind="holiday", key="holiday-greeting-sms", **filters):
    return campaign_send(
        name="春节问候",
        kind=kind,
        template=MessageTemplate.objects.get(key=key),
        filters=EnterpriseFilters(**filters),
        by=by,
    )


def test_a_campaign_writes_one_message_per_chosen_enterprise(park, staff_user):
    campaign = _campaign(staff_user, grid="A")
    messages = OutboxMessage.objects.filter(campaign=campaign).select_related("enterprise")
    assert campaign.recipients == 4
    by_name = {m.enterprise.name: m for m in messages}
    assert set(by_name) == {"甲区企业0", "甲区企业1", "甲区企业2", "甲区无联络员企业"}
    assert by_name["甲区无联络员企业"].status == Status.SKIPPED
    assert by_name["甲区无联络员企业"].problem == "no_liaison"
    first = by_name["甲区企业0"]
    assert first.status == Status.QUEUED
    # The SQL substitution says what the Python one says.
    template = MessageTemplate.objects.get(key="holiday-greeting-sms")
    # A greeting ends with the opt-out line.
    assert campaign.body == template.body + "拒收请回复R"
    assert first.body == render(campaign.body, {"enterprise": "甲区企业0", "liaison": "甲0"})
    assert first.body.endswith(LEAVING_LINE + "拒收请回复R")  # the opt-out line last


def test_an_email_campaign_skips_liaisons_without_an_address(park, staff_user):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)):
        campaign = _campaign(staff_user, kind="annual_report", key="annual-report-email", grid="A")
    statuses = dict(
        OutboxMessage.objects.filter(campaign=campaign).values_list("enterprise__name", "problem")
    )
    assert statuses == {
        "甲区企业0": "",
        "甲区企业1": "",
        "甲区企业2": "no_address",
        "甲区无联络员企业": "no_liaison",
    }
    subjects = set(
        OutboxMessage.objects.filter(campaign=campaign, status="queued").values_list(
            "subject", flat=True
        )
    )
    assert subjects == {
        "【年报提醒】甲区企业0请于6月30日前报送年度报告",
        "【年报提醒】甲区企业1请于6月30日前报送年度报告",
    }


@pytest.mark.parametrize(
    ("day", "allowed"),
    [((2026, 1, 1), True), ((2026, 6, 30), True), ((2026, 7, 1), False), ((2026, 12, 31), False)],
)
def test_annual_report_reminders_only_go_out_from_january_to_june(park, staff_user, day, allowed):
    with time_machine.travel(datetime.datetime(*day, 12, tzinfo=datetime.UTC)):
        if allowed:
            _campaign(staff_user, kind="annual_report", key="annual-report-sms")
        else:
            with pytest.raises(ServiceError) as error:
                _campaign(staff_user, kind="annual_report", key="annual-report-sms")
            assert "6月30日" in str(error.value.message) or "30 June" in str(error.value.message)
            assert not Campaign.objects.exists()


def test_only_a_details_check_may_use_a_template_with_a_personal_link(park, staff_user):
    template = MessageTemplate.objects.create(
        key="link", name="link", channel="sms", body="请点击 {{ link }}"
    )
    with pytest.raises(ServiceError):
        campaign_send(
            name="x", kind="general", template=template, filters=EnterpriseFilters(), by=staff_user
        )
    assert not OutboxMessage.objects.exists()


def test_campaign_messages_are_sent_and_a_failure_is_reported(park, staff_user, gateway):
    campaign = _campaign(staff_user, grid="B")
    bad = OutboxMessage.objects.filter(campaign=campaign).first()
    gateway.refuse.add(bad.to)
    _drain()
    counts = dict(
        OutboxMessage.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=models_count())
    )
    assert counts == {"sent": 1, "failed": 1}


def models_count():
    from django.db.models import Count

    return Count("pk")
