"""Invitations (issue 20, second slice, first part): staff invite the current liaisons of the
enterprises the enterprise list's filters choose; the liaison answers 参加 / 不参加 /
派同事参加 on their personal link after the code; staff see the answers per event."""

import datetime

import pytest
from django.urls import reverse

from outreach.events.models import Event, EventInvitation
from outreach.events.services import event_create, event_invite
from outreach.messaging.models import OutboxMessage
from outreach.selfservice.services import selfservice_link_send
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at
from tests.outreach.selfservice.conftest import code_in

pytestmark = pytest.mark.django_db

INVITATIONS = reverse("selfservice:events")


@pytest.fixture
def training(staff_user):
    return event_create(
        by=staff_user,
        kind=Event.Kind.TRAINING,
        topic="税务合规培训",
        starts_at=at(TODAY + datetime.timedelta(days=7), 9),
        place="服务中心3楼",
    )


@pytest.fixture
def park(enterprise_a, grid_a, grid_b):
    """A (grid A, liaison 张伟), B (grid B), a deregistered one and one without a liaison."""
    b = EnterpriseFactory(grid=grid_b, name="乙公司")
    LiaisonFactory(enterprise=b, name="李娜", mobile="13900001111")
    gone = EnterpriseFactory(grid=grid_a, name="已注销公司", status=Enterprise.Status.DEREGISTERED)
    LiaisonFactory(enterprise=gone, name="王五", mobile="13900002222")
    EnterpriseFactory(grid=grid_a, name="无联络员公司")
    return enterprise_a, b


def _unlock(client, link):
    client.get(reverse("selfservice:landing", args=[link.token]), follow=True)
    client.post("/s/", {"action": "send"})
    code = code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))
    return client.post("/s/", {"action": "check", "code": code}, follow=True)


def test_staff_invite_with_the_lists_filters_and_again_adds_only_new_ones(
    client, clock, staff_user, training, park
):
    a, b = park
    client.force_login(staff_user)
    url = reverse("outreach:events:invitations", args=[training.pk])
    response = client.post(url, {"grid": "A"}, follow=True)
    assert "1 位联络员已邀请" in response.content.decode()
    assert list(training.invitations.values_list("enterprise", flat=True)) == [a.pk]
    # The whole park: B is added, A keeps its invitation; deregistered and liaison-less are not.
    assert event_invite(event=training, filters=EnterpriseFilters(), by=staff_user) == 1
    assert set(training.invitations.values_list("enterprise__name", flat=True)) == {a.name, b.name}
    page = client.get(url).content.decode()
    assert "张伟" in page and "李娜" in page
    assert 'data-testid="count-invited">2<' in page


def test_a_grid_worker_cannot_invite(client, clock, worker_a, training, park):
    client.force_login(worker_a)
    url = reverse("outreach:events:invitations", args=[training.pk])
    assert client.post(url, {}).status_code == 403
    assert not EventInvitation.objects.exists()


def test_the_liaison_answers_on_their_personal_link(
    client, clock, staff_user, training, park, enterprise_a
):
    event_invite(event=training, filters=EnterpriseFilters(grid="A"), by=staff_user)
    _unlock(client, selfservice_link_send(enterprise=enterprise_a, by=staff_user))
    form = client.get(reverse("selfservice:form")).content.decode()
    assert INVITATIONS in form
    page = client.get(INVITATIONS).content.decode()
    assert "税务合规培训" in page
    invitation = EventInvitation.objects.get()

    # 派同事参加 without the colleague's name: told, nothing saved.
    refused = client.post(INVITATIONS, {"invitation": invitation.pk, "answer": "delegate"})
    assert refused.status_code == 400
    assert "请填写参加同事的姓名" in refused.content.decode()
    invitation.refresh_from_db()
    assert invitation.answer == ""

    client.post(
        INVITATIONS,
        {"invitation": invitation.pk, "answer": "delegate", "delegate_name": "刘洋"},
    )
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.delegate_name) == ("delegate", "刘洋")
    assert "派同事参加" in client.get(INVITATIONS).content.decode()

    # Changed to 参加: the colleague's name goes.
    client.post(INVITATIONS, {"invitation": invitation.pk, "answer": "attend"})
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.delegate_name) == ("attend", "")

    client.force_login(staff_user)
    staff_page = client.get(reverse("outreach:events:invitations", args=[training.pk]))
    assert 'data-testid="count-attend">1<' in staff_page.content.decode()


def test_a_liaison_answers_only_their_own_open_invitations(
    client, clock, staff_user, training, park, enterprise_a
):
    event_invite(event=training, filters=EnterpriseFilters(), by=staff_user)
    others = EventInvitation.objects.exclude(enterprise=enterprise_a).get()
    _unlock(client, selfservice_link_send(enterprise=enterprise_a, by=staff_user))
    response = client.post(INVITATIONS, {"invitation": others.pk, "answer": "decline"})
    assert response.status_code == 400
    assert "该邀请已不再开放" in response.content.decode()
    others.refresh_from_db()
    assert others.answer == ""
    assert client.post(INVITATIONS, {"invitation": "x\x00", "answer": "?"}).status_code == 400


def test_after_the_start_no_answer_is_taken(
    client, clock, staff_user, training, park, enterprise_a
):
    soon = event_create(
        by=staff_user,
        kind=Event.Kind.SALON,
        topic="茶歇沙龙",
        starts_at=at(TODAY, 10, 10),
        place="咖啡厅",
    )
    event_invite(event=soon, filters=EnterpriseFilters(grid="A"), by=staff_user)
    _unlock(client, selfservice_link_send(enterprise=enterprise_a, by=staff_user))
    invitation = EventInvitation.objects.get()
    # Ten minutes later (the unlocked session holds half an hour) the salon has begun.
    clock.move_to(at(TODAY, 10, 11))
    page = client.get(INVITATIONS)
    assert 'data-testid="no-invitations"' in page.content.decode()
    late = client.post(INVITATIONS, {"invitation": invitation.pk, "answer": "attend"})
    assert late.status_code == 400
    invitation.refresh_from_db()
    assert invitation.answer == ""


def test_without_an_unlocked_link_there_is_no_invitation_page(client):
    assert client.get(INVITATIONS).status_code == 404
