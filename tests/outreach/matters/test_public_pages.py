"""The requester's pages: the 回访 link's one-tap rating, and "我有问题 / 需要帮助" on the
liaison's personal link."""

import re

import pytest
from django.urls import reverse

from outreach.matters import services
from outreach.matters.models import Matter
from outreach.messaging.models import OutboxMessage
from outreach.selfservice.services import selfservice_link_send
from tests.outreach.selfservice.test_pages import _unlock

pytestmark = pytest.mark.django_db


def _answered(intake, staff_user):
    matter = intake()
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    matter = services.matter_take(matter=matter, by=staff_user)
    return services.matter_answer(
        matter=matter,
        by=staff_user,
        answer="已为您办理完成，电话 13800138000 可咨询。",
        resolved=True,
    )


def _link_in_message() -> str:
    body = OutboxMessage.objects.filter(purpose="matter_answer").latest("pk").body
    return re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]{40,}/)", body).group(1)


def test_the_link_leaves_the_address_and_one_tap_records_the_rating(client, intake, staff_user):
    matter = _answered(intake, staff_user)
    landing = client.get(_link_in_message())
    assert landing.status_code == 303
    assert landing["Location"] == reverse("matter_feedback:rate")
    assert landing["Cache-Control"] == "no-store"
    page = client.get(landing["Location"])
    text = page.content.decode()
    assert matter.number in text and "您对办理结果是否满意" in text
    assert "满意" in text and "基本满意" in text and "不满意" in text
    assert "138****8000" in text and "13800138000" not in text

    done = client.post(reverse("matter_feedback:rate"), {"satisfaction": "satisfied"})
    assert done.status_code == 200
    assert "您的评价已记录" in done.content.decode()
    matter.refresh_from_db()
    assert matter.state == "rated" and matter.satisfaction == "satisfied"
    # Spent: the link cannot rate twice, and says so — in this browser and in a fresh one.
    again = client.get(_link_in_message())
    assert again.status_code == 410
    assert "您的评价已记录" in again.content.decode()
    client.logout()
    elsewhere = client.get(_link_in_message())
    assert elsewhere.status_code == 410 and "您的评价已记录" in elsewhere.content.decode()
    assert client.get(reverse("matter_feedback:rate")).status_code == 410


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_the_rating_and_asking_pages_are_titled_for_what_they_are(
    client, intake, staff_user, enterprise_a
):
    """The phone's tab (and a screen reader) read "核对联络员信息" on the 回访 page and the
    question page, as if the liaison were asked to check their details again."""
    matter = _answered(intake, staff_user)
    client.get(_link_in_message())
    rate = client.get(reverse("matter_feedback:rate"))
    assert _title(rate).startswith(f"您的诉求 {matter.number}")
    done = client.post(reverse("matter_feedback:rate"), {"satisfaction": "satisfied"})
    assert "核对联络员信息" not in _title(done)
    _unlock(client, selfservice_link_send(enterprise=enterprise_a, by=staff_user))
    assert _title(client.get(reverse("selfservice:form"))).startswith("核对联络员信息")
    assert _title(client.get(reverse("selfservice:ask"))).startswith("我有问题 / 需要帮助")


def test_dissatisfied_through_the_link_reopens_it(client, intake, staff_user, tax_office):
    matter = _answered(intake, staff_user)
    client.get(_link_in_message())
    response = client.post(reverse("matter_feedback:rate"), {"satisfaction": "dissatisfied"})
    assert "已重新打开" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == "routed" and matter.owner == tax_office.lead


def test_an_unknown_choice_is_a_400(client, intake, staff_user):
    _answered(intake, staff_user)
    client.get(_link_in_message())
    response = client.post(reverse("matter_feedback:rate"), {"satisfaction": "great"})
    assert response.status_code == 400
    assert 'data-testid="error-satisfaction"' in response.content.decode()


def test_a_made_up_token_is_a_404(client):
    response = client.get(reverse("matter_feedback:landing", args=["x" * 43]))
    assert response.status_code == 404


def test_the_liaison_asks_for_help_through_their_personal_link(client, enterprise_a, staff_user):
    sent_link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    _unlock(client, sent_link)
    form = client.get(reverse("selfservice:form")).content.decode()
    assert "我有问题 / 需要帮助" in form
    assert reverse("selfservice:ask") in form

    empty = client.post(reverse("selfservice:ask"), {"description": ""})
    assert empty.status_code == 400
    assert 'data-testid="error-description"' in empty.content.decode()

    response = client.post(reverse("selfservice:ask"), {"description": "年报填报时提示错误"})
    matter = Matter.objects.get()
    assert matter.number in response.content.decode()
    assert matter.channel == "self_service"
    assert matter.enterprise == enterprise_a
    assert matter.liaison == sent_link.liaison
    assert matter.created_by is None


def test_asking_the_same_twice_is_one_matter(client, enterprise_a, staff_user):
    """A double tap (or a reload of the thank-you page) sent the question again and the desk
    got two matters with two numbers; the second send shows the first matter's number."""
    _unlock(client, selfservice_link_send(enterprise=enterprise_a, by=staff_user))
    first = client.post(reverse("selfservice:ask"), {"description": "开票额度不够用"})
    again = client.post(reverse("selfservice:ask"), {"description": "开票额度不够用"})
    matter = Matter.objects.get()
    assert first.status_code == again.status_code == 200
    assert matter.number in again.content.decode()
    other = client.post(reverse("selfservice:ask"), {"description": "另一个问题：社保转移"})
    assert other.status_code == 200 and Matter.objects.count() == 2


def test_asking_needs_an_unlocked_link(client):
    assert client.get(reverse("selfservice:ask")).status_code == 404
