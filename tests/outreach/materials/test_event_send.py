"""Material after an event (issue 20): to the invitees who said they come or send a colleague
(or every invitee) and whoever was checked in at the door, one SMS per liaison with the links
new to them, once per liaison and material, within the sending window; the statement equals
its ORM reference."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse

from core.errors import ServiceError
from outreach.events.door_models import EventAttendance
from outreach.events.models import EventInvitation
from outreach.materials.links import material_url
from outreach.materials.models import EventMaterialDelivery
from outreach.materials.services import (
    EVENT_MATERIALS_PURPOSE,
    event_materials_send,
    material_publish_set,
)
from outreach.messaging.models import OutboxMessage
from outreach.sql.materials import event_materials_reference
from registry.models import Enterprise
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import TODAY, at

pytestmark = pytest.mark.django_db

Answer = EventInvitation.Answer


def _invite(event, enterprise, answer=""):
    liaison = enterprise.liaisons.get(ended_on__isnull=True)
    return EventInvitation.objects.create(
        event=event,
        enterprise=enterprise,
        liaison=liaison,
        invited_at=event.starts_at - datetime.timedelta(days=7),
        answer=answer,
        answered_at=event.starts_at - datetime.timedelta(days=3) if answer else None,
    )


@pytest.fixture
def invitees(held_event, grid_a):
    """Liaisons of seven enterprises, by what they answered and what became of them."""
    people = {}
    for key, answer in [
        ("attend", Answer.ATTEND),
        ("delegate", Answer.DELEGATE),
        ("decline", Answer.DECLINE),
        ("silent", ""),
        ("no_mobile", Answer.ATTEND),
        ("left", Answer.ATTEND),
        ("deregistered", Answer.ATTEND),
    ]:
        enterprise = EnterpriseFactory(grid=grid_a, name=f"{key}公司")
        extra = {"mobile": ""} if key == "no_mobile" else {}
        LiaisonFactory(enterprise=enterprise, name=f"{key}联络员", **extra)
        people[key] = _invite(held_event, enterprise, answer)
    # The one who left: their period ended after the invitation (a successor took over).
    people["left"].liaison.ended_on = TODAY - datetime.timedelta(days=2)
    people["left"].liaison.save(update_fields=["ended_on"])
    Enterprise.objects.filter(pk=people["deregistered"].enterprise_id).update(
        status=Enterprise.Status.DEREGISTERED
    )
    return people


def _messages():
    return OutboxMessage.objects.filter(purpose=EVENT_MATERIALS_PURPOSE).order_by("pk")


def test_those_who_come_or_send_a_colleague_get_one_sms_with_the_links(
    staff_user, held_event, invitees, image_material, pdf_material
):
    with TestCase.captureOnCommitCallbacks(execute=False):
        sent = event_materials_send(
            event=held_event, materials=[image_material, pdf_material], by=staff_user
        )
    messages = list(_messages())
    assert {m.liaison_id for m in messages} == {
        invitees[key].liaison_id for key in ("attend", "delegate", "no_mobile")
    }
    assert (sent.messages, sent.queued, sent.deliveries) == (3, 2, 6)
    attend = next(m for m in messages if m.liaison_id == invitees["attend"].liaison_id)
    assert attend.status == OutboxMessage.Status.QUEUED
    assert attend.body.startswith("attend联络员您好：感谢您关注园区“年报实操培训”活动")
    assert f"《一图看懂年报》{material_url(image_material)}" in attend.body
    assert f"《年报填报指南》{material_url(pdf_material)}" in attend.body
    assert attend.body.index("一图看懂年报") < attend.body.index("年报填报指南")
    assert attend.params["materials"] in attend.body and attend.template.provider_params == []
    # No mobile: a "not sent" row saying so, like every other bulk write.
    no_mobile = next(m for m in messages if m.liaison_id == invitees["no_mobile"].liaison_id)
    assert (no_mobile.status, no_mobile.problem) == ("skipped", "no_address")


def test_every_invitee_when_chosen_but_never_who_left_or_a_deregistered_enterprise(
    staff_user, held_event, invitees, image_material
):
    event_materials_send(
        event=held_event, materials=[image_material], answered=False, by=staff_user
    )
    assert {m.liaison_id for m in _messages()} == {
        invitees[key].liaison_id for key in ("attend", "delegate", "decline", "silent", "no_mobile")
    }


def test_sending_again_reaches_only_who_did_not_have_the_material(
    staff_user, held_event, invitees, image_material, pdf_material
):
    event_materials_send(event=held_event, materials=[image_material], by=staff_user)
    assert _messages().count() == 3
    again = event_materials_send(event=held_event, materials=[image_material], by=staff_user)
    assert (again.messages, again.deliveries) == (0, 0)
    assert _messages().count() == 3
    # Someone who declined changed their mind and came: sent both, the others only the PDF.
    invitation = invitees["decline"]
    invitation.answer = Answer.ATTEND
    invitation.save(update_fields=["answer"])
    event_materials_send(event=held_event, materials=[image_material, pdf_material], by=staff_user)
    newest = {m.liaison_id: m.body for m in _messages()[3:]}
    assert len(newest) == 4
    assert "一图看懂年报" in newest[invitation.liaison_id]
    assert "年报填报指南" in newest[invitation.liaison_id]
    for key in ("attend", "delegate"):
        body = newest[invitees[key].liaison_id]
        assert "年报填报指南" in body and "一图看懂年报" not in body
    assert EventMaterialDelivery.objects.count() == 3 + 1 + 4
    assert (
        EventMaterialDelivery.objects.values("event", "material", "liaison").distinct().count()
        == EventMaterialDelivery.objects.count()
    )


def test_outside_the_window_the_sms_waits_for_the_next_morning(
    clock, staff_user, held_event, invitees, image_material
):
    clock.move_to(at(TODAY, 19))
    sent = event_materials_send(event=held_event, materials=[image_material], by=staff_user)
    morning = at(TODAY + datetime.timedelta(days=1), 9)
    assert sent.send_at == morning
    assert {m.next_attempt_at for m in _messages().filter(status="queued")} == {morning}


def test_only_after_the_event_and_only_published_material(
    clock, staff_user, held_event, invitees, image_material
):
    clock.move_to(held_event.starts_at - datetime.timedelta(hours=1))
    with pytest.raises(ServiceError):
        event_materials_send(event=held_event, materials=[image_material], by=staff_user)
    clock.move_to(at(TODAY))
    material_publish_set(material=image_material, published=False, by=staff_user)
    image_material.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        event_materials_send(event=held_event, materials=[image_material], by=staff_user)
    assert refused.value.code == "unpublished"
    with pytest.raises(ServiceError):
        event_materials_send(event=held_event, materials=[], by=staff_user)
    assert not _messages().exists() and not EventMaterialDelivery.objects.exists()


def _checked_in(event, enterprise, *, invited: bool):
    return EventAttendance.objects.create(
        event=event,
        enterprise=enterprise,
        liaison=enterprise.liaisons.get(ended_on__isnull=True),
        how=EventAttendance.How.CODE,
        invited=invited,
        checked_in_at=event.starts_at,
    )


def test_whoever_was_checked_in_at_the_door_gets_it_too(
    staff_user, held_event, invitees, image_material, grid_a
):
    """The decliner who came after all, and a liaison nobody invited who came along."""
    _checked_in(held_event, invitees["decline"].enterprise, invited=True)
    uninvited = EnterpriseFactory(grid=grid_a, name="不请自来公司")
    LiaisonFactory(enterprise=uninvited, name="周九")
    _checked_in(held_event, uninvited, invited=False)

    event_materials_send(event=held_event, materials=[image_material], by=staff_user)

    assert {m.liaison_id for m in _messages()} == {
        invitees["attend"].liaison_id,
        invitees["delegate"].liaison_id,
        invitees["no_mobile"].liaison_id,
        invitees["decline"].liaison_id,
        uninvited.liaisons.get().pk,
    }
    # Invited and checked in: one message, not two.
    assert _messages().filter(liaison=invitees["attend"].liaison).count() == 1


@pytest.mark.parametrize("answered", [True, False])
def test_the_statement_equals_its_orm_reference(
    staff_user, held_event, invitees, image_material, pdf_material, answered, grid_a
):
    _checked_in(held_event, invitees["attend"].enterprise, invited=True)
    _checked_in(held_event, invitees["silent"].enterprise, invited=True)
    walked_in = EnterpriseFactory(grid=grid_a, name="路过公司")
    LiaisonFactory(enterprise=walked_in, name="吴十")
    _checked_in(held_event, walked_in, invited=False)
    # A history to start from: the attendee already has the image.
    event_materials_send(event=held_event, materials=[image_material], by=staff_user)
    done = set(_messages().values_list("pk", flat=True))
    materials = [image_material, pdf_material]
    expected = event_materials_reference(
        event_id=held_event.pk, materials=materials, answered=answered, paused=set()
    )
    event_materials_send(event=held_event, materials=materials, answered=answered, by=staff_user)
    written = {
        m.liaison_id: (
            m.enterprise_id,
            m.to,
            m.problem,
            [x.pk for x in materials if material_url(x) in m.body],
        )
        for m in _messages().exclude(pk__in=done)
    }
    assert written == expected


def test_staff_send_from_the_events_page(client, staff_user, held_event, invitees, image_material):
    client.force_login(staff_user)
    url = reverse("outreach:events:materials", args=[held_event.pk])
    page = client.get(url).content.decode()
    assert "一图看懂年报" in page
    response = client.post(url, {"materials": [image_material.pk], "audience": "answered"})
    assert response.status_code == 302
    assert _messages().count() == 3
    page = client.get(url).content.decode()
    assert 'data-testid="sent-materials"' in page
    # Nothing chosen: the form says so (400), nothing is written.
    assert client.post(url, {"audience": "answered"}).status_code == 400
    assert _messages().count() == 3
