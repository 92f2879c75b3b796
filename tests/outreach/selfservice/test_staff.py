"""Staff send and withdraw a liaison's personal link from the enterprise page."""

import pytest
from django.urls import reverse

from outreach.messaging.models import OutboxMessage
from outreach.selfservice.models import SelfServiceLink

pytestmark = pytest.mark.django_db


def test_a_grid_worker_sends_the_link_from_the_enterprise_page(client, worker_a, enterprise_a):
    client.force_login(worker_a)
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc]))
    assert "发送自助核对链接" in page.content.decode()
    response = client.post(
        reverse("outreach:selfservice_link_send", args=[enterprise_a.uscc]), follow=True
    )
    assert "已向联络员发送个人链接" in response.content.decode()
    assert "有效期至" in response.content.decode()
    link = SelfServiceLink.objects.get()
    assert link.created_by == worker_a
    assert OutboxMessage.objects.filter(purpose="self-service-link", created_by=worker_a).exists()


def test_withdrawing_stops_the_open_link(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    client.post(reverse("outreach:selfservice_link_send", args=[enterprise_a.uscc]))
    link = SelfServiceLink.objects.get()
    response = client.post(
        reverse("outreach:selfservice_link_revoke", args=[enterprise_a.uscc]),
        {"link": link.pk},
        follow=True,
    )
    assert "已撤回" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == staff_user
    row = response.content.decode().split('data-testid="selfservice-link"')[1]
    assert 'data-state="revoked"' in row and "withdraw-link" not in row


def test_the_enterprise_page_lists_the_links_sent_and_their_states(
    client, staff_user, enterprise_a
):
    from outreach.selfservice.services import selfservice_details_confirm, selfservice_link_send

    used = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_details_confirm(link=used, notice_version="2026-11")
    # A confirmation leaves the liaison's entry as it was: the next link is open, until a
    # newer one replaces it.
    selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    client.force_login(staff_user)

    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()

    rows = page.split('data-testid="selfservice-link"')[1:]
    assert [r.split('data-state="')[1].split('"')[0] for r in rows] == [
        "open",
        "superseded",
        "used",
    ]
    assert "有效期至" in rows[0] and "withdraw-link" in rows[0]
    assert "已被新链接取代" in rows[1]
    assert "已于" in rows[2] and "使用" in rows[2] and "withdraw-link" not in rows[2]


def test_a_link_of_another_enterprise_cannot_be_withdrawn_here(
    client, staff_user, enterprise_a, grid_b
):
    from outreach.selfservice.services import selfservice_link_send
    from tests.factories import EnterpriseFactory, LiaisonFactory

    enterprise_b = EnterpriseFactory(grid=grid_b)
    LiaisonFactory(enterprise=enterprise_b)
    other = selfservice_link_send(enterprise=enterprise_b, by=staff_user)
    client.force_login(staff_user)
    url = reverse("outreach:selfservice_link_revoke", args=[enterprise_a.uscc])

    assert client.post(url, {"link": other.pk}).status_code == 404
    assert client.post(url, {"link": "abc"}).status_code == 400
    assert client.post(url, {"link": "9" * 40}).status_code == 400
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_used_link_stays_used_when_withdrawn(staff_user, enterprise_a):
    from outreach.selfservice.services import (
        selfservice_details_confirm,
        selfservice_link_revoke,
        selfservice_link_send,
    )

    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_details_confirm(link=link, notice_version="2026-11")
    selfservice_link_revoke(link=link, by=staff_user)
    assert link.revoked_at is None and link.state() == "used"


def test_staff_can_send_the_link_by_e_mail(client, staff_user, enterprise_a):
    from registry.services import liaison_update

    liaison_update(liaison=enterprise_a.current_liaison, by=staff_user, email="wang@example.com")
    client.force_login(staff_user)
    response = client.post(
        reverse("outreach:selfservice_link_send", args=[enterprise_a.uscc]),
        {"channel": "email"},
        follow=True,
    )
    assert "已向联络员发送个人链接" in response.content.decode()
    message = OutboxMessage.objects.get(purpose="self-service-link")
    assert message.channel == "email" and message.to == "wang@example.com"
    assert "/s/" in message.body
    link = SelfServiceLink.objects.get()
    assert link.channel == "email"
    row = response.content.decode().split('data-testid="selfservice-link"')[1]
    assert "电子邮件" in row


def test_e_mail_to_a_liaison_without_an_address_is_refused_plainly(
    client, staff_user, enterprise_a
):
    assert not enterprise_a.current_liaison.email
    client.force_login(staff_user)
    url = reverse("outreach:selfservice_link_send", args=[enterprise_a.uscc])

    response = client.post(url, {"channel": "email"}, follow=True)
    assert "没有登记电子邮箱" in response.content.decode()
    response = client.post(url, {"channel": "fax"}, follow=True)
    assert response.status_code == 200 and "未知" in response.content.decode()
    assert not SelfServiceLink.objects.exists()
    assert not OutboxMessage.objects.filter(purpose="self-service-link").exists()


def test_an_enterprise_without_a_mobile_gets_a_clear_message(client, staff_user, grid_a):
    from tests.factories import EnterpriseFactory, LiaisonFactory

    enterprise = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=enterprise, mobile="", email="x@example.com")
    client.force_login(staff_user)
    response = client.post(
        reverse("outreach:selfservice_link_send", args=[enterprise.uscc]), follow=True
    )
    assert response.status_code == 200
    assert "没有登记手机号码" in response.content.decode()
    assert not SelfServiceLink.objects.exists()


def test_staff_confirm_a_reported_handover_and_the_successor_gets_a_link(
    client, staff_user, enterprise_a
):
    import datetime

    from django.utils import timezone

    from outreach.models import Task
    from outreach.selfservice.services import selfservice_leaving_report, selfservice_link_send

    link = selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    selfservice_leaving_report(
        link=link,
        notice_version="2026-11",
        last_day=timezone.localdate() + datetime.timedelta(days=5),
        successor_name="李娜",
        successor_mobile="13700001111",
    )
    client.force_login(staff_user)
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()
    assert "继任者：李娜" in page and "13700001111" not in page  # masked on the staff page
    response = client.post(
        reverse("outreach:selfservice_handover_confirm", args=[enterprise_a.uscc]), follow=True
    )
    assert "李娜 已成为联络员" in response.content.decode()
    enterprise_a.refresh_from_db()
    assert enterprise_a.current_liaison.name == "李娜"
    assert not Task.objects.filter(kind="handover", status="open").exists()
    # The successor's link comes in their welcome (outreach.selfservice.welcome).
    sms = OutboxMessage.objects.filter(purpose="liaison-welcome").latest("pk")
    assert sms.to == "13700001111" and "李娜您好" in sms.body and "/s/" in sms.body
    # Confirming twice does nothing more.
    response = client.post(
        reverse("outreach:selfservice_handover_confirm", args=[enterprise_a.uscc]), follow=True
    )
    assert "没有待确认的交接" in response.content.decode()
    assert enterprise_a.liaisons.count() == 2


def test_the_liaison_is_told_what_staff_corrected_without_the_values(
    client, staff_user, enterprise_a
):
    from registry.services import liaison_update

    liaison_update(
        liaison=enterprise_a.current_liaison,
        by=staff_user,
        position="行政主管",
        mobile="13811112222",
    )
    notice = OutboxMessage.objects.get(purpose="staff-correction-notice")
    assert notice.to == "13811112222"  # the number now on file, not the wrong old one
    assert "职务" in notice.body and "手机" in notice.body
    assert "行政主管" not in notice.body and "13811112222" not in notice.body


def test_corrections_by_the_liaison_or_an_import_send_no_notice(enterprise_a):
    from registry.models import Door
    from registry.services import liaison_update

    liaison_update(
        liaison=enterprise_a.current_liaison, by=None, door=Door.SELF_SERVICE, position="经理"
    )
    liaison_update(liaison=enterprise_a.current_liaison, by=None, door=Door.IMPORT, position="x")
    assert not OutboxMessage.objects.filter(purpose="staff-correction-notice").exists()


def test_the_django_admin_never_shows_a_links_message_text(client, admin_user, enterprise_a):
    client.force_login(admin_user)
    client.post(reverse("outreach:selfservice_link_send", args=[enterprise_a.uscc]))
    message = OutboxMessage.objects.get(purpose="self-service-link")
    token_part = message.body.split("/s/")[1][:20]

    page = client.get(reverse("admin:outreach_outboxmessage_change", args=[message.pk]))

    assert page.status_code == 200
    assert token_part not in page.content.decode()
