"""The plan's light touch: a personal link by SMS some days before a general enterprise's
due contact, once per due date, on contact days, for 15:00; a confirmation through it makes
the routine task unnecessary."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from outreach.messaging.models import OutboxMessage
from outreach.messaging.services import outbox_claim
from outreach.models import EnterpriseOutreach, OutreachPolicy, Task
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import (
    selfservice_details_confirm,
    selfservice_link_resolve,
    selfservice_link_send,
)
from outreach.services import plan_run
from registry.models import Enterprise
from tests.concurrency import at_once
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at
from tests.outreach.selfservice.conftest import token_in

pytestmark = pytest.mark.django_db

D = datetime.date
# From Tuesday 24 November 2026 the routine tasks reach 1 December (7 days' lead) and the
# general tier's links 8 December (14 days): a contact due on 7 December gets a link today.
DUE = D(2026, 12, 7)


def _planned(grid, *, due=DUE, mobile="13912345678", tier="general", months=6, **fields):
    enterprise = EnterpriseFactory(grid=grid, key_taxpayer=tier == "key", **fields)
    if mobile is not None:
        LiaisonFactory(enterprise=enterprise, name="王芳", mobile=mobile)
    EnterpriseOutreach.objects.create(
        enterprise=enterprise, next_due_on=due, planned_tier=tier, planned_months=months
    )
    return enterprise


def _links(enterprise):
    return SelfServiceLink.objects.filter(enterprise=enterprise)


def _routine(enterprise):
    return Task.objects.filter(enterprise=enterprise, kind=Task.Kind.ROUTINE)


def test_the_default_policy_sends_links_to_general_enterprises_only():
    days = dict(OutreachPolicy.objects.values_list("tier", "link_days_ahead"))
    assert days == {"general": 14, "key": 0}


def test_a_link_goes_out_once_per_due_date_for_three_in_the_afternoon(clock, grid_a):
    enterprise = _planned(grid_a)

    first = plan_run()
    second = plan_run()

    assert (first.links_sent, second.links_sent) == (1, 0)
    (link,) = _links(enterprise)
    assert (link.campaign, link.created_by) == (None, None)  # the plan's own
    message = OutboxMessage.objects.get(enterprise=enterprise)
    assert (message.purpose, message.status, message.to) == (
        "self-service-link",
        "queued",
        "13912345678",
    )
    assert message.next_attempt_at == at(TODAY, 15)
    assert selfservice_link_resolve(token_in(message), enterprise=enterprise) == link
    assert EnterpriseOutreach.objects.get(pk=enterprise.pk).link_sent_for == DUE
    assert not _routine(enterprise).exists()  # the task waits for its own lead time
    # Not handed to the gateway before 15:00.
    assert outbox_claim(limit=10) == []
    clock.move_to(at(TODAY, 15, 1))
    assert [m.pk for m in outbox_claim(limit=10)] == [message.pk]


def test_the_next_days_runs_send_nothing_more_for_the_same_due_date(clock, grid_a):
    enterprise = _planned(grid_a)
    plan_run()
    clock.move_to(at(D(2026, 11, 25), 1, 30))
    assert plan_run().links_sent == 0
    assert _links(enterprise).count() == 1


def test_a_contact_too_near_or_too_far_gets_no_link(clock, grid_a):
    near = _planned(grid_a, due=D(2026, 12, 1))  # inside the task lead time: a task instead
    far = _planned(grid_a, due=D(2026, 12, 9))  # 15 days ahead: a later run
    result = plan_run()
    assert result.links_sent == 0
    assert not _links(near).exists() and not _links(far).exists()
    assert _routine(near).exists()


def test_a_key_enterprise_gets_no_link_while_its_tier_has_it_off(clock, grid_a):
    enterprise = _planned(grid_a, tier="key", months=3)
    assert plan_run().links_sent == 0
    assert not _links(enterprise).exists()

    OutreachPolicy.objects.filter(tier="key").update(link_days_ahead=14)
    assert plan_run().links_sent == 1
    assert _links(enterprise).count() == 1


def test_a_liaison_without_a_mobile_gets_no_link_and_no_message(clock, grid_a):
    no_mobile = _planned(grid_a, mobile="")
    no_liaison = _planned(grid_a, mobile=None)
    assert plan_run().links_sent == 0
    assert not SelfServiceLink.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert EnterpriseOutreach.objects.get(pk=no_mobile.pk).link_sent_for is None
    assert EnterpriseOutreach.objects.get(pk=no_liaison.pk).link_sent_for is None


def test_a_liaison_holding_an_open_link_gets_no_second_one(clock, grid_a, staff_user):
    enterprise = _planned(grid_a)
    by_hand = selfservice_link_send(enterprise=enterprise, by=staff_user)
    assert plan_run().links_sent == 0
    assert selfservice_link_resolve(by_hand.token) == by_hand  # still open


def test_confirming_through_the_link_makes_the_routine_task_unnecessary(clock, grid_a):
    confirms = _planned(grid_a)
    silent = _planned(grid_a)
    plan_run()
    link = selfservice_link_resolve(
        token_in(OutboxMessage.objects.get(enterprise=confirms)), enterprise=confirms
    )

    clock.move_to(at(D(2026, 11, 26), 15, 30))
    selfservice_details_confirm(link=link, notice_version="2026-1")
    next_due = EnterpriseOutreach.objects.get(pk=confirms.pk).next_due_on
    assert next_due >= D(2027, 1, 1)  # the next half year

    # A week before the due date, the liaison who did not answer gets the usual task.
    clock.move_to(at(D(2026, 11, 30), 1, 30))
    plan_run()
    assert _routine(silent).get().due_on == DUE
    assert not _routine(confirms).exists()


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (at(D(2026, 11, 28), 10), "a Saturday"),
        (at(D(2026, 11, 24), 17, 30), "after five in the afternoon"),
    ],
)
def test_no_link_goes_out_on_a_day_off_or_late_in_the_day(grid_a, moment, why):
    enterprise = _planned(grid_a)
    with time_machine.travel(moment, tick=False):
        assert plan_run().links_sent == 0, why
    assert not _links(enterprise).exists()


def test_no_link_on_a_public_holiday_but_on_its_make_up_working_day(grid_a):
    # National Day 2026: 1-7 October off, Saturday 10 October a working day (调休).
    enterprise = _planned(grid_a, due=D(2026, 10, 20))
    with time_machine.travel(at(D(2026, 10, 6), 10), tick=False):
        assert plan_run().links_sent == 0
    with time_machine.travel(at(D(2026, 10, 10), 10), tick=False):
        assert plan_run().links_sent == 1
    assert _links(enterprise).count() == 1


def test_a_run_in_the_afternoon_sends_at_once(grid_a):
    _planned(grid_a)
    with time_machine.travel(at(TODAY, 16), tick=False):
        plan_run()
        assert OutboxMessage.objects.get().next_attempt_at == at(TODAY, 16)


def test_a_deregistered_enterprise_gets_no_link(clock, grid_a):
    _planned(grid_a, status=Enterprise.Status.DEREGISTERED)
    assert plan_run().links_sent == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_link_once(grid_a):
    enterprises = [_planned(grid_a, mobile=f"1391234567{i}") for i in range(5)]
    with time_machine.travel(at(TODAY, 10)):
        results, errors = at_once(plan_run)

    assert not errors
    assert sorted(r.links_sent for r in results) == [0, 5]
    assert SelfServiceLink.objects.count() == 5
    assert OutboxMessage.objects.count() == 5
    assert {link.enterprise for link in SelfServiceLink.objects.all()} == set(enterprises)


def test_a_policy_whose_link_would_come_with_the_task_is_refused():
    policy = OutreachPolicy.objects.get(tier="general")
    policy.link_days_ahead = 7  # the task lead time: the link would arrive with the task
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "link_days_ahead" in error.value.message_dict
    policy.link_days_ahead = 0
    policy.full_clean()
