"""Logging a contact attempt: what it closes, what it opens, what it tells the others."""

import datetime

import pytest
from django.db import transaction

from core.errors import ServiceError
from outreach.models import ContactAttempt, EnterpriseOutreach, Task
from outreach.services import contact_attempt_record, task_open
from outreach.signals import attempt_recorded
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db

Channel, Outcome = ContactAttempt.Channel, ContactAttempt.Outcome


def _routine(enterprise):
    return task_open(enterprise=enterprise, kind=Task.Kind.ROUTINE, source=Task.Source.PLAN)


def test_reaching_the_liaison_closes_the_routine_task_with_the_attempt(
    clock, enterprise_a, worker_a
):
    task = _routine(enterprise_a)

    attempt = contact_attempt_record(
        enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.REACHED, by=worker_a
    )

    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.closed_by_attempt == attempt and task.closed_by == worker_a
    assert attempt.liaison == enterprise_a.current_liaison  # the current one by default


def test_reaching_the_liaison_plans_the_next_contact_in_the_next_period(clock, enterprise_a):
    contact_attempt_record(enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.REACHED)

    plan = EnterpriseOutreach.objects.get(enterprise=enterprise_a)
    # A general enterprise: every half year, so the first half of 2027, on a contact day.
    assert datetime.date(2027, 1, 4) <= plan.next_due_on <= datetime.date(2027, 6, 27)
    assert plan.next_due_on.weekday() < 5 and 4 <= plan.next_due_on.day <= 27
    assert plan.last_success_at == at(TODAY)


def test_a_failed_attempt_leaves_the_routine_task_open(clock, enterprise_a):
    task = _routine(enterprise_a)

    contact_attempt_record(
        enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.NO_ANSWER
    )

    task.refresh_from_db()
    assert task.is_open
    assert not EnterpriseOutreach.objects.filter(enterprise=enterprise_a).exists()


def test_a_re_check_call_is_done_by_a_call_whatever_it_found(clock, enterprise_a):
    recheck = task_open(
        enterprise=enterprise_a, kind=Task.Kind.RECHECK_CALL, source=Task.Source.RULE
    )
    onsite = task_open(
        enterprise=enterprise_a, kind=Task.Kind.ONSITE_VERIFICATION, source=Task.Source.RULE
    )

    contact_attempt_record(
        enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.NOT_IN_SERVICE
    )

    recheck.refresh_from_db()
    onsite.refresh_from_db()
    assert not recheck.is_open
    assert onsite.is_open  # only a visit does an on-site verification


def test_liaison_has_left_opens_a_handover_task(clock, enterprise_a, worker_a):
    contact_attempt_record(
        enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.LEFT, by=worker_a
    )

    handover = Task.objects.get(enterprise=enterprise_a, kind=Task.Kind.HANDOVER)
    assert handover.is_open
    assert handover.source == Task.Source.RULE
    assert handover.assignee == worker_a  # the grid's worker
    assert handover.due_on == TODAY + datetime.timedelta(days=3)


def test_verified_details_count_as_a_verification_of_the_liaison(clock, enterprise_a, worker_a):
    contact_attempt_record(
        enterprise=enterprise_a,
        channel=Channel.VISIT,
        outcome=Outcome.REACHED,
        by=worker_a,
        verified=True,
    )

    assert enterprise_a.current_liaison.last_verified_at == at(TODAY)


def test_details_cannot_be_verified_without_reaching_the_liaison(clock, enterprise_a):
    with pytest.raises(ServiceError) as refused:
        contact_attempt_record(
            enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.BUSY, verified=True
        )

    assert refused.value.field == "verified"
    assert not ContactAttempt.objects.exists()


def test_a_contact_cannot_be_logged_in_the_future(clock, enterprise_a):
    with pytest.raises(ServiceError) as refused:
        contact_attempt_record(
            enterprise=enterprise_a,
            channel=Channel.PHONE,
            outcome=Outcome.REACHED,
            occurred_at=at(TODAY, 11),
        )
    assert refused.value.field == "occurred_at"


def test_a_liaison_of_another_enterprise_is_refused(clock, enterprise_a):
    stranger = LiaisonFactory(enterprise=EnterpriseFactory())
    with pytest.raises(ServiceError) as refused:
        contact_attempt_record(
            enterprise=enterprise_a,
            channel=Channel.PHONE,
            outcome=Outcome.REACHED,
            liaison=stranger,
        )
    assert refused.value.field == "liaison"
    assert not ContactAttempt.objects.exists()


def test_the_system_logs_an_undelivered_message_without_a_person(clock, enterprise_a):
    attempt = contact_attempt_record(
        enterprise=enterprise_a, channel=Channel.SMS, outcome=Outcome.BOUNCED, by=None
    )
    assert attempt.by is None and not attempt.succeeded


def test_an_older_contact_logged_late_does_not_move_the_plan_back(clock, enterprise_a):
    contact_attempt_record(enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.REACHED)
    planned = EnterpriseOutreach.objects.get(enterprise=enterprise_a).next_due_on

    contact_attempt_record(
        enterprise=enterprise_a,
        channel=Channel.VISIT,
        outcome=Outcome.REACHED,
        occurred_at=at(datetime.date(2026, 3, 10)),
    )

    plan = EnterpriseOutreach.objects.get(enterprise=enterprise_a)
    assert plan.next_due_on == planned and plan.last_success_at == at(TODAY)


def test_only_reached_is_a_success():
    assert [o for o in Outcome.values if Outcome.is_success(o)] == ["reached"]
    assert Outcome.successes() == {"reached"}


# Without the test's own transaction around it, so "inside" means the service's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_signal_is_sent_inside_the_transaction_after_the_row_is_written(clock, enterprise_a):
    seen = []

    def receiver(sender, attempt, **kwargs):
        seen.append(
            (
                sender,
                ContactAttempt.objects.filter(pk=attempt.pk).exists(),
                transaction.get_connection().in_atomic_block,
            )
        )

    attempt_recorded.connect(receiver)
    try:
        contact_attempt_record(
            enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.NO_ANSWER
        )
    finally:
        attempt_recorded.disconnect(receiver)

    assert seen == [(ContactAttempt, True, True)]


def test_a_failing_receiver_rolls_the_attempt_back(clock, enterprise_a):
    task = _routine(enterprise_a)

    def receiver(sender, attempt, **kwargs):
        raise RuntimeError("the light could not be updated")

    attempt_recorded.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            contact_attempt_record(
                enterprise=enterprise_a, channel=Channel.PHONE, outcome=Outcome.REACHED
            )
    finally:
        attempt_recorded.disconnect(receiver)

    task.refresh_from_db()
    assert task.is_open
    assert not ContactAttempt.objects.exists()
