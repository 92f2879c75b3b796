"""The personal link's properties, one by one: only the newest, unused, unrevoked,
unexpired link of an unchanged liaison is accepted, and only for its own enterprise."""

import datetime

import pytest
from django.utils import timezone

from core.errors import ServiceError
from outreach.messaging.models import OutboxMessage
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import (
    CodeRefused,
    LinkExpired,
    LinkLiaisonChanged,
    LinkRevoked,
    LinkSuperseded,
    LinkUnknown,
    LinkUsed,
    selfservice_code_check,
    selfservice_code_send,
    selfservice_link_resolve,
    selfservice_link_revoke,
    selfservice_link_send,
    selfservice_link_use,
)
from registry.services import liaison_replace, liaison_update
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.selfservice.conftest import code_in, token_in

pytestmark = pytest.mark.django_db


def test_sending_writes_the_link_into_an_sms_in_the_outbox(sent_link, enterprise_a):
    message = OutboxMessage.objects.get(purpose="self-service-link")
    assert message.channel == "sms"
    assert message.to == "13912345678"
    assert "张伟您好" in message.body and "如您离职" in message.body
    token = token_in(message)
    assert len(token) >= 43  # 32 random bytes
    assert selfservice_link_resolve(token) == sent_link


def test_only_a_hash_of_the_token_is_stored(sent_link):
    row = SelfServiceLink.objects.values().get(pk=sent_link.pk)
    assert sent_link.token not in str(row)


def test_a_fresh_link_opens(sent_link, enterprise_a):
    link = selfservice_link_resolve(sent_link.token, enterprise=enterprise_a)
    assert link.liaison == enterprise_a.current_liaison


def test_an_expired_link_is_refused(sent_link):
    SelfServiceLink.objects.filter(pk=sent_link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(LinkExpired):
        selfservice_link_resolve(sent_link.token)


def test_a_link_expires_after_the_configured_days(sent_link, settings):
    days = round((sent_link.expires_at - sent_link.created_at).total_seconds() / 86400)
    assert days == settings.SELF_SERVICE_LINK_DAYS == 14


def test_a_used_link_is_refused(sent_link):
    assert selfservice_link_use(link=sent_link)
    assert not selfservice_link_use(link=sent_link)
    with pytest.raises(LinkUsed):
        selfservice_link_resolve(sent_link.token)


def test_a_newer_link_stops_the_older_one(sent_link, enterprise_a, staff_user):
    newer = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    with pytest.raises(LinkSuperseded):
        selfservice_link_resolve(sent_link.token)
    assert selfservice_link_resolve(newer.token) == newer


def test_a_change_to_the_liaison_stops_the_link(sent_link, enterprise_a, staff_user):
    liaison_update(liaison=enterprise_a.current_liaison, by=staff_user, position="行政经理")
    with pytest.raises(LinkLiaisonChanged):
        selfservice_link_resolve(sent_link.token)


def test_a_new_liaison_stops_the_link_of_the_old_one(sent_link, enterprise_a, staff_user):
    liaison_replace(enterprise=enterprise_a, by=staff_user, name="李娜", mobile="13700001111")
    with pytest.raises(LinkLiaisonChanged):
        selfservice_link_resolve(sent_link.token)


def test_a_revoked_link_is_refused(sent_link, staff_user):
    selfservice_link_revoke(link=sent_link, by=staff_user)
    with pytest.raises(LinkRevoked):
        selfservice_link_resolve(sent_link.token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:-1],
        lambda t: t + "x",
        lambda t: "",
        lambda t: "x" * 500,
        lambda t: t.upper(),
    ],
)
def test_a_tampered_token_is_unknown(sent_link, tamper):
    with pytest.raises(LinkUnknown):
        selfservice_link_resolve(tamper(sent_link.token))


def test_a_link_of_another_enterprise_is_unknown(sent_link, grid_a):
    other = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=other)
    with pytest.raises(LinkUnknown):
        selfservice_link_resolve(sent_link.token, enterprise=other)


def test_no_link_without_a_liaison_or_a_mobile(grid_a, staff_user):
    nobody = EnterpriseFactory(grid=grid_a)
    with pytest.raises(ServiceError):
        selfservice_link_send(enterprise=nobody, by=staff_user)
    no_mobile = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=no_mobile, mobile="", email="a@example.com")
    with pytest.raises(ServiceError):
        selfservice_link_send(enterprise=no_mobile, by=staff_user)
    assert not SelfServiceLink.objects.exists()
    assert not OutboxMessage.objects.filter(purpose="self-service-link").exists()


# --- The one-time code ---------------------------------------------------------------------


def _last_code() -> str:
    return code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))


def test_the_code_goes_to_the_mobile_on_file_and_unlocks_the_link(sent_link):
    selfservice_code_send(link=sent_link)
    message = OutboxMessage.objects.get(purpose="self-service-code")
    assert message.to == "13912345678"
    link = selfservice_code_check(link=sent_link, code=code_in(message))
    assert link.unlocked_at is not None
    # Spent: the same code does not work twice.
    with pytest.raises(CodeRefused):
        selfservice_code_check(link=sent_link, code=code_in(message))


def test_the_code_is_stored_only_as_a_keyed_hash(sent_link):
    selfservice_code_send(link=sent_link)
    row = SelfServiceLink.objects.get(pk=sent_link.pk)
    assert _last_code() not in row.code_hash and len(row.code_hash) == 64


def test_guessing_the_code_stops_after_five_tries(sent_link):
    selfservice_code_send(link=sent_link)
    right = _last_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    tries = []
    for _ in range(5):
        with pytest.raises(CodeRefused) as refused:
            selfservice_code_check(link=sent_link, code=wrong)
        tries.append(refused.value.tries_left)
    assert tries == [4, 3, 2, 1, 0]
    # Even the right code is refused now: a new one must be sent.
    with pytest.raises(CodeRefused):
        selfservice_code_check(link=sent_link, code=right)
    selfservice_code_send(link=sent_link)
    assert selfservice_code_check(link=sent_link, code=_last_code()).unlocked_at


def test_an_expired_code_is_refused(sent_link):
    selfservice_code_send(link=sent_link)
    SelfServiceLink.objects.filter(pk=sent_link.pk).update(
        code_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(CodeRefused):
        selfservice_code_check(link=sent_link, code=_last_code())


def test_a_new_code_replaces_the_old_one(sent_link):
    selfservice_code_send(link=sent_link)
    first = _last_code()
    selfservice_code_send(link=sent_link)
    second = _last_code()
    if first != second:
        with pytest.raises(CodeRefused):
            selfservice_code_check(link=sent_link, code=first)
    assert selfservice_code_check(link=sent_link, code=second).unlocked_at


def test_no_code_is_sent_for_a_dead_link(sent_link, staff_user):
    selfservice_link_revoke(link=sent_link, by=staff_user)
    with pytest.raises(LinkRevoked):
        selfservice_code_send(link=sent_link)
    assert not OutboxMessage.objects.filter(purpose="self-service-code").exists()
