"""The liaison's pages: opening a link changes nothing and shows nothing personal; the code
unlocks the form and takes the token out of the URL; a dead link gets a friendly page."""

import pytest
from django.urls import reverse

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import selfservice_link_revoke
from registry.models import Liaison
from tests.selfservice.conftest import code_in

pytestmark = pytest.mark.django_db


def _landing(link) -> str:
    return reverse("selfservice:landing", args=[link.token])


def _code() -> str:
    return code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))


def _unlock(client, link):
    client.post(_landing(link), {"action": "send"})
    return client.post(_landing(link), {"action": "check", "code": _code()})


def _snapshot():
    return (
        list(SelfServiceLink.objects.values()),
        list(OutboxMessage.objects.values_list("pk", flat=True)),
        list(ContactAttempt.objects.values_list("pk", flat=True)),
    )


def test_opening_the_link_changes_nothing_and_shows_nothing_personal(client, sent_link):
    before = _snapshot()
    for _ in range(3):  # a mail scanner, a chat preview, the liaison
        response = client.get(_landing(sent_link))
        assert response.status_code == 200
    assert _snapshot() == before
    page = response.content.decode()
    assert "上海甲乙科技有限公司" in page
    assert "13912345678" not in page and "张伟" not in page
    assert "139****5678" in page or "5678" in page
    assert "核对" in page  # Chinese first
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_code_unlocks_the_form_without_the_token_in_the_url(client, sent_link):
    response = _unlock(client, sent_link)
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:form")
    assert sent_link.token not in response["Location"]
    form = client.get(reverse("selfservice:form"))
    assert form.status_code == 200
    assert "13912345678" in form.content.decode() and "张伟" in form.content.decode()
    assert form["Referrer-Policy"] == "no-referrer"


def test_a_wrong_code_shows_nothing_personal(client, sent_link, enterprise_a):
    Liaison.objects.filter(pk=enterprise_a.current_liaison.pk).update(
        id_number="11010519491231002X"
    )
    client.post(_landing(sent_link), {"action": "send"})
    wrong = f"{(int(_code()) + 1) % 10**6:06d}"
    response = client.post(_landing(sent_link), {"action": "check", "code": wrong})
    assert response.status_code == 400
    page = response.content.decode()
    assert "13912345678" not in page and "11010519491231002X" not in page
    assert "不正确" in page
    assert client.get(reverse("selfservice:form")).status_code == 404


def test_the_form_is_closed_without_an_unlocked_link(client, sent_link):
    client.get(_landing(sent_link))  # opened, but no code entered
    response = client.get(reverse("selfservice:form"))
    assert response.status_code == 404
    assert "13912345678" not in response.content.decode()


def test_my_details_are_correct_is_a_verified_contact_and_spends_the_link(client, sent_link):
    _unlock(client, sent_link)
    response = client.post(
        reverse("selfservice:form"), {"action": "confirm", "accept_notice": "2026-11"}
    )
    assert response.status_code == 200
    assert "谢谢" in response.content.decode()
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.outcome, attempt.verified) == ("self_service", "reached", True)
    link = SelfServiceLink.objects.get(pk=sent_link.pk)
    assert link.used_at is not None and link.notice_version == "2026-11"
    # The link and the session are spent.
    assert client.get(reverse("selfservice:form")).status_code == 404
    assert client.get(_landing(sent_link)).status_code == 410


def test_confirming_needs_the_notice_accepted(client, sent_link):
    _unlock(client, sent_link)
    response = client.post(reverse("selfservice:form"), {"action": "confirm"})
    assert response.status_code == 400
    assert not ContactAttempt.objects.exists()


def test_a_revoked_link_gets_a_friendly_page(client, sent_link, staff_user):
    selfservice_link_revoke(link=sent_link, by=staff_user)
    response = client.get(_landing(sent_link))
    assert response.status_code == 410
    assert "撤回" in response.content.decode()
    assert "上海甲乙科技有限公司" not in response.content.decode()


def test_revoking_after_unlocking_closes_the_form(client, sent_link, staff_user):
    _unlock(client, sent_link)
    selfservice_link_revoke(link=sent_link, by=staff_user)
    assert client.get(reverse("selfservice:form")).status_code == 410


def test_an_unknown_link_gets_a_friendly_page(client):
    response = client.get(reverse("selfservice:landing", args=["x" * 43]))
    assert response.status_code == 404
    assert "找不到" in response.content.decode()


def test_guessing_links_from_one_address_is_stopped(client):
    statuses = [
        client.get(reverse("selfservice:landing", args=[f"guess{i:040d}"])).status_code
        for i in range(25)
    ]
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429


def test_sending_codes_over_and_over_is_stopped(client, sent_link):
    statuses = [client.post(_landing(sent_link), {"action": "send"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert OutboxMessage.objects.filter(purpose="self-service-code").count() == 3
