"""Invitations go out as SMS (issue 20): a campaign of the event's invitees only, with the
event's topic, time and place and each liaison's own personal link, which opens their
invitations after the code; the audiences "new this year" and "attended nothing this year";
staff see what was sent, delivered and answered."""

import datetime

import pytest
from django.urls import reverse

from core.errors import ServiceError
from outreach.events.door_models import EventAttendance
from outreach.events.models import Event, EventInvitation
from outreach.events.services import (
    event_create,
    event_invitation_campaign_create,
    event_invite,
)
from outreach.messaging.campaign_controls import campaign_confirm
from outreach.messaging.forms import CampaignForm
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.messaging.services import campaign_create
from outreach.selfservice.models import SelfServiceLink
from outreach.sql.events import NEW_THIS_YEAR, NOTHING_ATTENDED, attended_this_year_reference
from registry import clock as registry_clock
from registry.models import Enterprise, Liaison
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at
from tests.outreach.selfservice.conftest import code_in, token_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(staff_user):
    return event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="社保公积金实务培训",
        starts_at=at(TODAY + datetime.timedelta(days=7), 14, 30),
        place="服务中心3楼报告厅",
    )


@pytest.fixture
def park(enterprise_a, grid_a, grid_b):
    """A (grid A, 张伟), B (grid B, 李娜), a deregistered one in grid A."""
    b = EnterpriseFactory(grid=grid_b, name="乙公司")
    LiaisonFactory(enterprise=b, name="李娜", mobile="13900001111")
    gone = EnterpriseFactory(grid=grid_a, name="已注销公司", status=Enterprise.Status.DEREGISTERED)
    LiaisonFactory(enterprise=gone, name="王五", mobile="13900002222")
    return enterprise_a, b, gone


def _send(event, by):
    campaign = event_invitation_campaign_create(event=event, by=by)
    return campaign_confirm(campaign=campaign, by=by)


def test_the_invitation_sms_goes_to_the_invitees_only_with_the_event_and_a_link(
    client, clock, staff_user, training, park
):
    a, b, gone = park
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    client.force_login(staff_user)
    response = client.post(reverse("outreach:events:invitation_sms", args=[training.pk]))
    campaign = Campaign.objects.get()
    assert response.url == reverse("messaging:campaign", args=[campaign.pk])
    assert (campaign.kind, campaign.event, campaign.status) == (
        Campaign.Kind.EVENT_INVITATION,
        training,
        Campaign.Status.DRAFT,
    )
    # The campaign's page previews its one recipient (B is not invited; the deregistered
    # enterprise was never invited).
    campaign_page = client.get(response.url).content.decode()
    assert 'data-testid="campaign-event"' in campaign_page and "社保公积金实务培训" in campaign_page
    campaign_confirm(campaign=campaign, by=staff_user)

    message = OutboxMessage.objects.get(campaign=campaign)
    assert (message.enterprise, message.status) == (a, OutboxMessage.Status.QUEUED)
    assert "社保公积金实务培训" in message.body
    assert "2026-12-01 14:30" in message.body
    assert "服务中心3楼报告厅" in message.body
    # A provider sent the approved template's code gets the event's values too.
    assert message.params["event_topic"] == "社保公积金实务培训"
    assert message.params["event_time"] == "2026-12-01 14:30"
    assert message.params["event_place"] == "服务中心3楼报告厅"
    assert message.params["link"] in message.body
    link = SelfServiceLink.objects.get(campaign=campaign)
    assert link.liaison == message.liaison
    assert token_in(message)
    assert not OutboxMessage.objects.filter(enterprise__in=[b, gone]).exists()


def test_the_link_in_the_sms_opens_the_invitations_after_the_code(
    client, clock, staff_user, training, park
):
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    message = OutboxMessage.objects.get(campaign=_send(training, staff_user))
    client.get(reverse("selfservice:landing", args=[token_in(message)]))
    client.post("/s/", {"action": "send"})
    code = code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))
    unlocked = client.post("/s/", {"action": "check", "code": code})
    assert unlocked.url == reverse("selfservice:events")
    page = client.get(unlocked.url).content.decode()
    assert "社保公积金实务培训" in page


def test_a_details_check_link_still_opens_the_form(client, clock, staff_user, enterprise_a):
    from outreach.selfservice.services import selfservice_link_send

    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    client.get(reverse("selfservice:landing", args=[link.token]))
    client.post("/s/", {"action": "send"})
    code = code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))
    assert client.post("/s/", {"action": "check", "code": code}).url == reverse("selfservice:form")


def test_a_replaced_liaison_gets_no_invitation_sms(clock, staff_user, training, park):
    a, _b, _gone = park
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    a.liaisons.update(ended_on=TODAY)
    LiaisonFactory(enterprise=a, name="新联络员", mobile="13900003333")
    with pytest.raises(ServiceError):  # no recipient left: nothing to confirm
        _send(training, staff_user)


def test_a_second_invitation_sms_reaches_only_those_invited_since(
    clock, staff_user, training, park
):
    a, b, _gone = park
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    first = _send(training, staff_user)
    event_invite(event=training, filters=EnterpriseFilters(), by=staff_user)
    second = _send(training, staff_user)
    assert list(first.messages.values_list("enterprise", flat=True)) == [a.pk]
    assert list(second.messages.values_list("enterprise", flat=True)) == [b.pk]
    # A failed first SMS is sent again by the next campaign.
    first.messages.update(status=OutboxMessage.Status.FAILED)
    third = _send(training, staff_user)
    assert list(third.messages.values_list("enterprise", flat=True)) == [a.pk]


def test_an_event_invitation_is_made_only_from_its_event(clock, staff_user, training, park):
    template = MessageTemplate.objects.get(key="event-invitation-sms")
    with pytest.raises(ServiceError):
        campaign_create(
            name="x",
            kind=Campaign.Kind.EVENT_INVITATION,
            template=template,
            filters=EnterpriseFilters(),
            by=staff_user,
        )
    kinds = dict(CampaignForm().fields["kind"].choices)
    assert Campaign.Kind.EVENT_INVITATION not in kinds
    # Nor can another kind carry the event's template with its link.
    with pytest.raises(ServiceError):
        campaign_create(
            name="x",
            kind=Campaign.Kind.GENERAL,
            template=template,
            filters=EnterpriseFilters(),
            by=staff_user,
        )


def test_a_started_event_sends_no_invitation(clock, staff_user, training, park):
    event_invite(event=training, filters=EnterpriseFilters(), by=staff_user)
    clock.move_to(training.starts_at)
    with pytest.raises(ServiceError):
        event_invitation_campaign_create(event=training, by=staff_user)


def test_liaisons_new_this_year(clock, staff_user, training, park):
    a, b, _gone = park
    b.liaisons.update(started_on=datetime.date(TODAY.year, 3, 1))
    a.liaisons.update(started_on=datetime.date(TODAY.year - 1, 12, 31))
    added = event_invite(
        event=training, filters=EnterpriseFilters(), by=staff_user, audience=NEW_THIS_YEAR
    )
    assert added == 1
    assert list(training.invitations.values_list("enterprise", flat=True)) == [b.pk]


def test_liaisons_who_attended_nothing_this_year(clock, staff_user, training, park, grid_a):
    a, b, _gone = park
    c = EnterpriseFactory(grid=grid_a, name="丙公司")
    LiaisonFactory(enterprise=c, name="赵六", mobile="13900004444")
    d = EnterpriseFactory(grid=grid_a, name="丁公司")
    LiaisonFactory(enterprise=d, name="钱七", mobile="13900005555")
    this_year = Event.objects.create(
        kind=Event.Kind.SALON,
        topic="年初沙龙",
        starts_at=at(datetime.date(TODAY.year, 3, 10)),
        place="咖啡厅",
        created_by=staff_user,
        created_at=at(datetime.date(TODAY.year, 3, 1)),
        updated_at=at(datetime.date(TODAY.year, 3, 1)),
    )
    last_year = Event.objects.create(
        kind=Event.Kind.SALON,
        topic="去年沙龙",
        starts_at=at(datetime.date(TODAY.year - 1, 12, 10)),
        place="咖啡厅",
        created_by=staff_user,
        created_at=at(datetime.date(TODAY.year - 1, 12, 1)),
        updated_at=at(datetime.date(TODAY.year - 1, 12, 1)),
    )

    def answered(event, enterprise, answer):
        EventInvitation.objects.create(
            event=event,
            enterprise=enterprise,
            liaison=enterprise.liaisons.get(),
            invited_at=event.created_at,
            answer=answer,
            answered_at=event.created_at,
        )

    def checked_in(event, enterprise):
        EventAttendance.objects.create(
            event=event,
            enterprise=enterprise,
            liaison=enterprise.liaisons.get(),
            how=EventAttendance.How.CODE,
            invited=True,
            checked_in_at=event.starts_at,
        )

    answered(this_year, a, EventInvitation.Answer.ATTEND)
    checked_in(this_year, a)  # attended: left out
    answered(this_year, b, EventInvitation.Answer.DELEGATE)  # a colleague went, not b
    answered(last_year, c, EventInvitation.Answer.ATTEND)
    checked_in(last_year, c)  # last year's does not count
    e = EnterpriseFactory(grid=grid_a, name="戊公司")
    LiaisonFactory(enterprise=e, name="孙八", mobile="13900006666")
    answered(this_year, e, EventInvitation.Answer.ATTEND)  # said yes, never came: a no-show
    # d answered 参加 to the training itself, still to come: not yet attended.
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    training.invitations.filter(enterprise=d).update(
        answer=EventInvitation.Answer.ATTEND, answered_at=at(TODAY)
    )
    other = event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="下一场",
        starts_at=at(TODAY + datetime.timedelta(days=9)),
        place="报告厅",
    )
    event_invite(event=other, filters=EnterpriseFilters(), by=staff_user, audience=NOTHING_ATTENDED)
    assert set(other.invitations.values_list("enterprise__name", flat=True)) == {
        b.name,
        c.name,
        d.name,
        e.name,
    }
    # The ORM's reading of "attended" (outreach.sql.events) says the same.
    attended = attended_this_year_reference(
        year_start=registry_clock.start_of_day(datetime.date(TODAY.year, 1, 1)), now=at(TODAY)
    )
    current = Liaison.objects.filter(ended_on=None).exclude(
        enterprise__status=Enterprise.Status.DEREGISTERED
    )
    assert set(other.invitations.values_list("liaison", flat=True)) == (
        set(current.values_list("pk", flat=True)) - attended
    )


def test_an_unknown_audience_is_refused(client, clock, staff_user, training, park):
    with pytest.raises(ServiceError):
        event_invite(event=training, filters=EnterpriseFilters(), by=staff_user, audience="x")
    client.force_login(staff_user)
    url = reverse("outreach:events:invitations", args=[training.pk])
    response = client.post(url, {"audience": "x"}, follow=True)
    assert response.status_code == 200
    assert not training.invitations.exists()


def test_staff_see_sent_delivered_answered_and_the_reminders(
    client, clock, staff_user, training, park
):
    a, b, _gone = park
    event_invite(event=training, filters=EnterpriseFilters(), by=staff_user)
    campaign = _send(training, staff_user)
    a_message, b_message = (campaign.messages.get(enterprise=e) for e in (a, b))
    OutboxMessage.objects.filter(pk=a_message.pk).update(
        status=OutboxMessage.Status.SENT, delivered_at=at(TODAY)
    )
    OutboxMessage.objects.filter(pk=b_message.pk).update(status=OutboxMessage.Status.SENT)
    training.invitations.filter(enterprise=a_message.enterprise).update(
        answer=EventInvitation.Answer.ATTEND, answered_at=at(TODAY)
    )
    client.force_login(staff_user)
    page = client.get(reverse("outreach:events:invitations", args=[training.pk])).content.decode()
    assert "邀请短信" in page and "活动前一日提醒" in page and "今年新任的联络员" in page
    for testid, value in {
        "sms-written": 2,
        "sms-sent": 2,
        "sms-delivered": 1,
        "sms-answered": 1,
        "reminders-due": 1,
        "reminders-done": 0,
    }.items():
        assert f'data-testid="{testid}">{value}<' in page, testid
    assert 'data-testid="event-campaign"' in page


def test_an_enterprise_deregistered_since_its_invitation_gets_no_sms(
    clock, staff_user, training, park
):
    a, b, _gone = park
    event_invite(event=training, filters=EnterpriseFilters(), by=staff_user)
    b.status = Enterprise.Status.DEREGISTERED
    b.save(update_fields=["status"])
    campaign = _send(training, staff_user)
    assert list(campaign.messages.values_list("enterprise", flat=True)) == [a.pk]


def test_the_sender_tests_the_invitation_on_their_own_phone(clock, staff_user, training, park):
    from accounts.models import AccountProfile
    from outreach.messaging.campaign_controls import campaign_test_send

    AccountProfile.objects.create(user=staff_user, mobile="13800008000")
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    campaign = event_invitation_campaign_create(event=training, by=staff_user)
    test = campaign_test_send(campaign=campaign, by=staff_user)
    assert test.to == "13800008000"
    assert "社保公积金实务培训" in test.body
    assert test.params["event_place"] == "服务中心3楼报告厅"
    assert not SelfServiceLink.objects.exists()  # an example link opens nothing
