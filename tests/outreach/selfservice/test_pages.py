"""The liaison's pages: opening a link changes nothing, shows nothing personal and moves the
token out of the URL at once; the code unlocks the form; a dead link gets a friendly page."""

import pytest
from django.apps import apps
from django.urls import reverse

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.notice import data_use_notice
from outreach.selfservice.services import selfservice_link_revoke, selfservice_link_send
from registry.models import Liaison
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.selfservice.conftest import code_in

pytestmark = pytest.mark.django_db

# The version of the notice the portal shows today (written from the settings).
NOTICE = data_use_notice().version

START = "/s/"


def _landing(link) -> str:
    return reverse("selfservice:landing", args=[link.token])


def _code() -> str:
    return code_in(OutboxMessage.objects.filter(purpose="self-service-code").latest("pk"))


def _open(client, link):
    """Open the link as the liaison's browser does: the token's address, then /s/."""
    return client.get(_landing(link), follow=True)


def _unlock(client, link):
    _open(client, link)
    client.post(START, {"action": "send"})
    return client.post(START, {"action": "check", "code": _code()})


def _snapshot():
    """Every row of every table but the sessions (a pending link lives in one)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


def _other_link(staff_user):
    other = EnterpriseFactory(grid=None, name="上海丙丁贸易有限公司")
    LiaisonFactory(enterprise=other, name="陈静", mobile="13711112222")
    return selfservice_link_send(enterprise=other, by=staff_user)


def test_the_token_leaves_the_address_at_once(client, sent_link):
    assert reverse("selfservice:start") == START
    response = client.get(_landing(sent_link))
    assert response.status_code == 303
    assert response["Location"] == START
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    page = client.get(START)
    assert page.status_code == 200
    assert "上海甲乙科技有限公司" in page.content.decode()
    assert sent_link.token not in page.content.decode()


def test_opening_the_link_changes_nothing_and_shows_nothing_personal(client, sent_link):
    before = _snapshot()
    for _ in range(3):  # a mail scanner, a chat preview, the liaison
        response = _open(client, sent_link)
        assert response.redirect_chain == [(START, 303)]
        assert response.status_code == 200
    assert _snapshot() == before
    page = response.content.decode()
    assert "上海甲乙科技有限公司" in page
    assert "13912345678" not in page and "张伟" not in page
    assert "139****5678" in page or "5678" in page
    assert "核对" in page  # Chinese first
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_token_address_takes_no_post(client, sent_link):
    response = client.post(_landing(sent_link), {"action": "send"})
    assert response.status_code == 405
    assert not OutboxMessage.objects.filter(purpose="self-service-code").exists()


def test_the_landing_needs_an_opened_link(client, sent_link):
    response = client.get(START)
    assert response.status_code == 404
    assert "重新打开" in response.content.decode()
    response = client.post(START, {"action": "send"})
    assert response.status_code == 404
    assert not OutboxMessage.objects.filter(purpose="self-service-code").exists()


def test_the_opened_link_survives_until_the_code_is_entered(client, sent_link):
    _open(client, sent_link)
    assert client.post(START, {"action": "send"}).status_code == 200
    assert client.get(START).status_code == 200  # reloaded, or back from the SMS app
    response = client.post(START, {"action": "check", "code": _code()})
    assert response.status_code == 302 and response["Location"] == reverse("selfservice:form")
    assert client.get(reverse("selfservice:form")).status_code == 200


def test_what_link_scanners_leave_behind_is_short_lived_and_swept(client, sent_link):
    import datetime

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from liaison_portal.tasks import sessions_clear_expired

    _open(client, sent_link)
    (session,) = Session.objects.all()
    assert session.expire_date <= timezone.now() + datetime.timedelta(hours=1)
    assert sessions_clear_expired() == 0  # still pending: kept
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert sessions_clear_expired() == 1
    assert not Session.objects.exists()


def test_a_second_link_opened_in_the_same_browser_replaces_the_first(client, sent_link, staff_user):
    other = _other_link(staff_user)
    _open(client, sent_link)
    page = _open(client, other).content.decode()
    assert "上海丙丁贸易有限公司" in page and "上海甲乙科技有限公司" not in page
    client.post(START, {"action": "send"})
    assert OutboxMessage.objects.filter(purpose="self-service-code").get().to == "13711112222"
    client.post(START, {"action": "check", "code": _code()})
    form = client.get(reverse("selfservice:form")).content.decode()
    assert "陈静" in form and "张伟" not in form


def test_opening_another_link_locks_the_unlocked_form(client, sent_link, staff_user):
    _unlock(client, sent_link)
    other = _other_link(staff_user)
    page = _open(client, other).content.decode()
    assert "上海丙丁贸易有限公司" in page
    assert client.get(reverse("selfservice:form")).status_code == 404


def test_opening_the_link_again_while_unlocked_returns_to_the_form(client, sent_link):
    _unlock(client, sent_link)
    expiry = client.session.get_expiry_age()
    response = client.get(_landing(sent_link))
    assert response.status_code == 303 and response["Location"] == reverse("selfservice:form")
    # The browser's back button from the form lands on /s/, which sends it forward again.
    response = client.get(START)
    assert response.status_code == 303 and response["Location"] == reverse("selfservice:form")
    assert client.get(reverse("selfservice:form")).status_code == 200
    # Still the short unlocked session.
    assert 0 < client.session.get_expiry_age() <= expiry <= 30 * 60


def test_a_link_revoked_after_opening_gets_a_friendly_page(client, sent_link, staff_user):
    _open(client, sent_link)
    selfservice_link_revoke(link=sent_link, by=staff_user)
    response = client.post(START, {"action": "send"})
    assert response.status_code == 410
    assert "撤回" in response.content.decode()
    assert not OutboxMessage.objects.filter(purpose="self-service-code").exists()
    assert client.get(START).status_code == 404  # forgotten


def test_the_code_unlocks_the_form_without_the_token_in_the_url(client, sent_link):
    response = _unlock(client, sent_link)
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:form")
    assert sent_link.token not in response["Location"]
    form = client.get(reverse("selfservice:form"))
    assert form.status_code == 200
    assert client.session.get_expiry_age() <= 30 * 60
    assert "13912345678" in form.content.decode() and "张伟" in form.content.decode()
    assert form["Referrer-Policy"] == "same-origin"


def test_a_wrong_code_shows_nothing_personal(client, sent_link, enterprise_a):
    Liaison.objects.filter(pk=enterprise_a.current_liaison.pk).update(
        id_number="11010519491231002X"
    )
    _open(client, sent_link)
    sent = client.post(START, {"action": "send"})
    assert "13912345678" not in sent.content.decode() and "张伟" not in sent.content.decode()
    wrong = f"{(int(_code()) + 1) % 10**6:06d}"
    response = client.post(START, {"action": "check", "code": wrong})
    assert response.status_code == 400
    page = response.content.decode()
    assert "13912345678" not in page and "11010519491231002X" not in page
    assert "不正确" in page
    assert client.get(reverse("selfservice:form")).status_code == 404


def test_the_form_is_closed_without_an_unlocked_link(client, sent_link):
    _open(client, sent_link)  # opened, but no code entered
    response = client.get(reverse("selfservice:form"))
    assert response.status_code == 404
    assert "13912345678" not in response.content.decode()


def test_my_details_are_correct_is_a_verified_contact_and_spends_the_link(client, sent_link):
    _unlock(client, sent_link)
    response = client.post(
        reverse("selfservice:form"), {"action": "confirm", "confirm-accept_notice": NOTICE}
    )
    assert response.status_code == 200
    assert "谢谢" in response.content.decode()
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.outcome, attempt.verified) == ("self_service", "reached", True)
    link = SelfServiceLink.objects.get(pk=sent_link.pk)
    assert link.used_at is not None and link.notice_version == NOTICE
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


def test_guessing_links_from_one_address_is_stopped(client, steady_window):
    statuses = [
        client.get(reverse("selfservice:landing", args=[f"guess{i:040d}"])).status_code
        for i in range(25)
    ]
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429


def test_sending_codes_over_and_over_is_stopped(client, sent_link, steady_window):
    _open(client, sent_link)
    statuses = [client.post(START, {"action": "send"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert OutboxMessage.objects.filter(purpose="self-service-code").count() == 3


def _correct_data(**overrides):
    data = {
        "action": "correct",
        "correct-accept_notice": NOTICE,
        "correct-name": "张伟",
        "correct-position": "行政经理",
        "correct-mobile": "13912345678",
        "correct-landline": "",
        "correct-email": "zhangwei@example.com",
        "correct-wechat": "",
        "correct-emergency_name": "王强",
        "correct-emergency_relation": "同事",
        "correct-emergency_phone": "13600002222",
    }
    data.update(overrides)
    return data


def test_corrections_are_applied_as_self_service_and_the_worker_is_told(
    client, sent_link, enterprise_a
):
    from outreach.models import Task
    from registry.models import EmergencyContact

    _unlock(client, sent_link)
    response = client.post(reverse("selfservice:form"), _correct_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert "已保存" in page and "职务" in page and "紧急联系人" in page
    liaison = Liaison.objects.get(pk=enterprise_a.current_liaison.pk)
    assert liaison.position == "行政经理" and liaison.email == "zhangwei@example.com"
    assert liaison.last_verified_at is not None and liaison.consent_version == NOTICE
    assert EmergencyContact.objects.get(enterprise=enterprise_a).name == "王强"
    # History says it came from self-service.
    events = liaison.events.order_by("-pgh_id").first()
    assert events.pgh_context.metadata["door"] == "self_service"
    task = Task.objects.get(enterprise=enterprise_a, kind="selfservice_update")
    assert task.is_open and "职务" in task.note
    attempt = ContactAttempt.objects.get()
    assert attempt.channel == "self_service" and attempt.verified


def test_an_invalid_correction_saves_nothing_and_keeps_the_link(client, sent_link, enterprise_a):
    _unlock(client, sent_link)
    response = client.post(
        reverse("selfservice:form"), _correct_data(**{"correct-mobile": "12345"})
    )
    assert response.status_code == 400
    assert "手机" in response.content.decode()
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).position == ""
    assert SelfServiceLink.objects.get(pk=sent_link.pk).used_at is None
    assert not ContactAttempt.objects.exists()
    assert client.get(reverse("selfservice:form")).status_code == 200


def test_the_id_number_is_only_taken_with_its_own_consent(client, sent_link, enterprise_a):
    _unlock(client, sent_link)
    response = client.post(
        reverse("selfservice:form"), _correct_data(**{"correct-id_number": "11010519491231002X"})
    )
    assert response.status_code == 400
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).id_number == ""
    response = client.post(
        reverse("selfservice:form"),
        _correct_data(
            **{"correct-id_number": "11010519491231002X", "correct-id_number_consent": "on"}
        ),
    )
    assert response.status_code == 200
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).id_number == "11010519491231002X"
    assert SelfServiceLink.objects.get(pk=sent_link.pk).id_number_consent_at is not None


def test_leaving_opens_a_handover_task_with_the_successor(client, sent_link, enterprise_a):
    import datetime

    from django.utils import timezone

    from outreach.models import Task

    _unlock(client, sent_link)
    last_day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("selfservice:form"),
        {
            "action": "leaving",
            "leaving-accept_notice": NOTICE,
            "leaving-last_day": last_day.isoformat(),
            "leaving-successor_name": "李娜",
            "leaving-successor_mobile": "137 0000 1111",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "李娜" in page and "30日内" in page
    task = Task.objects.get(enterprise=enterprise_a, kind="handover")
    assert task.is_open and task.source == "self_service"
    assert "李娜" in task.note and last_day.isoformat() in task.note
    # Read by every role in lists: the portal writes the successor's mobile masked.
    assert "137****1111" in task.note and "13700001111" not in task.note
    # The registry is not changed until staff confirm the handover.
    assert enterprise_a.liaisons.count() == 1


def test_leaving_needs_a_valid_successor_mobile(client, sent_link, enterprise_a):
    from outreach.models import Task

    _unlock(client, sent_link)
    response = client.post(
        reverse("selfservice:form"),
        {
            "action": "leaving",
            "leaving-accept_notice": NOTICE,
            "leaving-last_day": "2026-12-01",
            "leaving-successor_name": "李娜",
            "leaving-successor_mobile": "555",
        },
    )
    assert response.status_code == 400
    assert not Task.objects.filter(kind="handover").exists()


def test_no_token_reaches_the_logs(client, sent_link, staff_user, caplog):
    """Django logs the 410 with its path; the portal's log handler writes it redacted."""
    import logging

    from outreach.selfservice.logs import RedactSelfServiceTokens

    console = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSelfServiceTokens) for f in handler.filters)
    ]
    assert console, "the console log handler must redact tokens"
    selfservice_link_revoke(link=sent_link, by=staff_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(_landing(sent_link))
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    for record in records:  # the console handler's filter already rewrote the record
        assert sent_link.token not in record.getMessage()
        assert "/s/…/" in record.getMessage()
