"""The desk's rules, whichever door: intake, routing, taking, answering, rating, closing."""

import datetime
import re

import pytest
import time_machine

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.models import Matter, MatterStep
from outreach.messaging.models import OutboxMessage
from registry import clock
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

State = Matter.State


def _actions(matter) -> list[str]:
    return list(matter.steps.order_by("at", "id").values_list("action", flat=True))


def test_numbers_are_per_day_and_quote_the_parks_date(intake):
    with time_machine.travel(datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)):
        # 00:30 on 1 December in Shanghai: the park's date, not UTC's.
        first, second = intake(), intake()
    assert first.number == "SQ20261201-0001"
    assert second.number == "SQ20261201-0002"


@pytest.mark.django_db(transaction=True)
def test_two_intakes_at_once_get_different_numbers(enterprise_a, staff_user):
    from outreach.matters.defaults import categories_ensure_defaults
    from outreach.matters.models import MatterCategory

    categories_ensure_defaults()
    category = MatterCategory.objects.get(name="税务")

    def take_in():
        return services.matter_intake(
            channel="phone",
            category=category,
            description="问题",
            by=staff_user,
            enterprise=enterprise_a,
        ).number

    results, errors = at_once(take_in, times=4)
    assert not errors
    assert len(set(results)) == 4


def test_intake_records_a_step_and_the_limits_of_its_category(intake, complaint):
    matter = intake(category=complaint)
    assert matter.state == State.RECEIVED
    assert matter.first_response_due - matter.received_at == datetime.timedelta(hours=4)
    assert matter.resolution_due > matter.first_response_due
    assert _actions(matter) == ["intake"]


def test_a_caller_not_yet_identified_is_taken_in_and_linked_later(staff_user, tax, enterprise_a):
    matter = services.matter_intake(
        channel="phone",
        category=tax,
        description="来电咨询",
        by=staff_user,
        requester_name="王先生",
        requester_phone="138 0013 8000",
    )
    assert matter.enterprise is None
    assert matter.requester_phone == "13800138000"
    matter = services.matter_link_enterprise(matter=matter, by=staff_user, enterprise=enterprise_a)
    assert matter.enterprise == enterprise_a
    assert _actions(matter) == ["intake", "link"]


def test_bad_input_names_the_field_and_writes_nothing(staff_user, tax):
    with pytest.raises(ServiceError) as nobody:
        services.matter_intake(channel="phone", category=tax, description="x", by=staff_user)
    assert nobody.value.field == "enterprise"
    with pytest.raises(ServiceError) as phone:
        services.matter_intake(
            channel="phone",
            category=tax,
            description="x",
            by=staff_user,
            requester_name="王先生",
            requester_phone="12345",
        )
    assert phone.value.field == "requester_phone"
    with pytest.raises(ServiceError) as empty:
        services.matter_intake(
            channel="phone", category=tax, description="  ", by=staff_user, requester_name="王"
        )
    assert empty.value.field == "description"
    assert not Matter.objects.exists()


def test_answered_at_once_is_closed_on_the_spot_and_the_answer_sent(intake, staff_user):
    matter = intake(disposition="answered", answer="可在电子税务局在线办理。")
    assert matter.state == State.CLOSED
    assert matter.owner == staff_user
    assert matter.first_response_at == matter.answered_at
    assert _actions(matter) == ["intake", "answer", "close"]
    message = OutboxMessage.objects.get(purpose="matter_answer")
    assert message.template.key == "matter-answer-sms"
    assert matter.number in message.body
    assert message.params["matter_number"] == matter.number
    assert message.to == "13912345678"


def test_routed_to_a_department_a_member_takes_it_and_the_first_response_is_recorded(
    intake, tax_office, worker_a, staff_user
):
    matter = intake(disposition="routed", department=tax_office)
    assert matter.state == State.ROUTED and matter.owner is None
    matter = services.matter_take(matter=matter, by=worker_a, version=matter.version)
    assert matter.state == State.IN_PROGRESS
    assert matter.owner == worker_a
    assert matter.first_response_at is not None


def test_someone_outside_the_department_cannot_take_it(intake, tax_office, worker_b):
    matter = intake(disposition="routed", department=tax_office)
    with pytest.raises(ServiceError) as refused:
        services.matter_take(matter=matter, by=worker_b)
    assert refused.value.code == "not_yours"


def test_two_people_taking_the_same_matter_one_wins_the_other_is_told(
    intake, tax_office, worker_a, staff_user
):
    matter = intake(disposition="routed", department=tax_office)
    seen = matter.version
    services.matter_take(matter=Matter.objects.get(pk=matter.pk), by=worker_a, version=seen)
    with pytest.raises(services.MatterConflict) as late:
        # The second page still shows the routed matter at the version it loaded.
        stale = Matter.objects.get(pk=matter.pk)
        stale.state = State.ROUTED
        services.matter_take(matter=stale, by=staff_user, version=seen)
    assert matter.number in str(late.value.message)
    assert Matter.objects.get(pk=matter.pk).owner == worker_a


@pytest.mark.django_db(transaction=True)
def test_two_takes_at_the_same_moment_end_with_one_owner(enterprise_a, staff_user, admin_user):
    from outreach.matters.defaults import categories_ensure_defaults
    from outreach.matters.models import MatterCategory

    categories_ensure_defaults()
    matter = services.matter_intake(
        channel="phone",
        category=MatterCategory.objects.get(name="税务"),
        description="问题",
        by=staff_user,
        enterprise=enterprise_a,
    )
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    # Both have the page open (the matter as it was read before either acts): read here, not
    # in the threads, where one may read after the other's take committed and be told "wrong
    # state" instead of "someone else acted".
    seen = iter(
        [
            (staff_user, Matter.objects.get(pk=matter.pk)),
            (admin_user, Matter.objects.get(pk=matter.pk)),
        ]
    )

    def take():
        user, page = next(seen)
        return services.matter_take(matter=page, by=user, version=page.version).owner_id

    results, errors = at_once(take)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], services.MatterConflict)
    assert Matter.objects.get(pk=matter.pk).steps.filter(action="take").count() == 1


def test_escalation_goes_to_the_departments_lead(intake, tax_office, admin_user):
    matter = intake(disposition="escalated", department=tax_office)
    assert matter.owner == admin_user and matter.escalated
    assert _actions(matter) == ["intake", "escalate"]


def test_reroute_and_return_need_a_reason(intake, tax_office, worker_a, staff_user):
    matter = intake(disposition="routed", department=tax_office)
    with pytest.raises(ServiceError) as no_reason:
        services.matter_return(matter=matter, by=worker_a, reason="")
    assert no_reason.value.field == "reason"
    matter = services.matter_return(matter=matter, by=worker_a, reason="不属于本科室")
    assert matter.state == State.RETURNED and matter.owner is None
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    matter = services.matter_reroute(
        matter=matter, by=staff_user, reason="转税务科", department=tax_office
    )
    assert matter.state == State.ROUTED and matter.department == tax_office
    assert _actions(matter) == ["intake", "route", "return", "route", "reroute"]
    assert matter.steps.get(action="reroute").note == "转税务科"


def _answered(intake, staff_user, **kwargs):
    matter = intake()
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    matter = services.matter_take(matter=matter, by=staff_user)
    return services.matter_answer(
        matter=matter, by=staff_user, answer="已协助完成申报。", resolved=True, **kwargs
    )


def test_an_unresolved_answer_says_the_next_step_and_by_when(intake, staff_user):
    matter = intake()
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    matter = services.matter_take(matter=matter, by=staff_user)
    with pytest.raises(ServiceError) as missing:
        services.matter_answer(
            matter=matter, by=staff_user, answer="需要税务局确认", resolved=False
        )
    assert missing.value.field == "next_step"
    matter = services.matter_answer(
        matter=matter,
        by=staff_user,
        answer="需要税务局确认",
        resolved=False,
        next_step="联系区税务局",
        next_step_on=clock.today() + datetime.timedelta(days=3),
    )
    assert matter.state == State.ANSWERED and matter.resolved is False
    assert "处理中" in OutboxMessage.objects.get(purpose="matter_answer").body


def test_the_feedback_link_is_stored_as_a_hash_only_and_spent_by_the_rating(intake, staff_user):
    matter = _answered(intake, staff_user)
    token = matter.feedback_token
    body = OutboxMessage.objects.get(purpose="matter_answer").body
    assert re.search(r"/r/([A-Za-z0-9_-]{40,})/", body).group(1) == token
    assert (
        token
        not in Matter.objects.filter(pk=matter.pk)
        .values_list("feedback_token_hash", flat=True)
        .get()
    )
    found = services.matter_feedback_resolve(token)
    rated = services.matter_rate(matter=found, satisfaction="satisfied")
    assert rated.state == State.RATED and rated.satisfaction == "satisfied"
    with pytest.raises(services.FeedbackLinkInvalid) as spent:
        services.matter_feedback_resolve(token)
    assert spent.value.reason == "used"
    closed = services.matter_close(matter=rated, by=staff_user)
    assert closed.state == State.CLOSED


def test_an_expired_feedback_link_is_refused(intake, staff_user):
    matter = _answered(intake, staff_user)
    with pytest.raises(services.FeedbackLinkInvalid) as expired:
        services.matter_feedback_resolve(
            matter.feedback_token, now=clock.now() + datetime.timedelta(days=15)
        )
    assert expired.value.reason == "expired"


def test_dissatisfied_reopens_the_matter_to_the_owners_lead(
    intake, staff_user, tax_office, admin_user
):
    matter = _answered(intake, staff_user)  # staff is a member of the tax office (lead: admin)
    matter = services.matter_rate(matter=matter, satisfaction="dissatisfied", comment="没解决")
    assert matter.state == State.ROUTED
    assert matter.owner == admin_user and matter.escalated
    assert _actions(matter)[-2:] == ["rate", "reopen"]
    assert matter.steps.get(action="reopen").to_user == admin_user


def test_a_closed_matter_cannot_be_taken_or_chased(intake, staff_user):
    matter = intake(disposition="answered", answer="已答复")
    with pytest.raises(ServiceError) as wrong:
        services.matter_take(matter=matter, by=staff_user)
    assert wrong.value.code == "wrong_state"
    with pytest.raises(ServiceError):
        services.matter_chase(matter=matter, by=staff_user)


def test_chasing_is_one_recorded_step(intake, staff_user, worker_a):
    matter = intake(disposition="routed", owner=worker_a)
    services.matter_chase(matter=matter, by=staff_user)
    chase = MatterStep.objects.get(matter=matter, action="chase")
    assert chase.by == staff_user and chase.to_user == worker_a
