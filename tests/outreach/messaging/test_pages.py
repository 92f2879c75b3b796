"""The campaign, outbox and template pages as staff, grid workers and auditors use them."""

import pytest
from django.test import override_settings
from django.urls import reverse

from outreach.messaging import services
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import ALWAYS_OPEN, campaign_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids(enterprise_a, grid_b):
    LiaisonFactory(
        enterprise=EnterpriseFactory(grid=grid_b, name="杭州丙丁贸易有限公司"),
        name="李娜",
        mobile="13700001111",
    )


def _template(key="holiday-greeting-sms"):
    return MessageTemplate.objects.get(key=key)


def _campaign(staff_user):
    return campaign_send(
        name="春节问候",
        kind="holiday",
        template=_template(),
        filters=EnterpriseFilters(),
        by=staff_user,
    )


def test_staff_create_a_campaign_from_a_filter_and_land_on_its_progress(
    client, staff_user, two_grids
):
    client.force_login(staff_user)
    page = client.get(reverse("messaging:campaign_new"), {"grid": "A"})
    assert page.status_code == 200
    assert "新建群发" in page.content.decode()

    response = client.post(
        reverse("messaging:campaign_new"),
        {"name": "端午问候", "kind": "holiday", "template": _template().pk, "grid": "A"},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200
    # A draft: nothing is written before its sender confirms it after the preview.
    campaign = Campaign.objects.get()
    assert campaign.status == "draft" and "草稿" in body
    assert campaign.filters == {"grid": "A", "sort": "name"}
    assert not OutboxMessage.objects.exists()
    assert response.context["preview"].sendable == 1

    with override_settings(**ALWAYS_OPEN):
        response = client.post(
            reverse("messaging:campaign_confirm", args=[campaign.pk]), follow=True
        )
    body = response.content.decode()
    assert "端午问候" in body and "上海甲乙科技有限公司" in body
    assert "杭州丙丁贸易有限公司" not in body
    assert OutboxMessage.objects.filter(campaign=campaign).count() == 1


def test_the_preview_counts_the_chosen_enterprises_and_the_reachable_liaisons(
    client, staff_user, two_grids, grid_a
):
    EnterpriseFactory(grid=grid_a, name="无联络员公司")
    client.force_login(staff_user)
    response = client.get(
        reverse("messaging:campaign_audience"), {"grid": "A", "template": _template().pk}
    )
    assert response.context["audience"].enterprises == 2
    assert response.context["audience"].reachable == 1
    assert "已选 2 家企业" in response.content.decode()


def test_an_annual_report_campaign_in_autumn_is_refused_with_a_clear_message(
    client, staff_user, two_grids, time_machine
):
    time_machine.move_to("2026-09-15 10:00 +08:00")
    client.force_login(staff_user)
    response = client.post(
        reverse("messaging:campaign_new"),
        {"name": "年报", "kind": "annual_report", "template": _template("annual-report-sms").pk},
    )
    assert response.status_code == 400
    assert "1月1日至6月30日" in response.content.decode()
    assert not Campaign.objects.exists()


def test_grid_workers_may_not_create_campaigns(client, worker_a, two_grids):
    client.force_login(worker_a)
    assert client.get(reverse("messaging:campaign_new")).status_code == 403
    response = client.post(
        reverse("messaging:campaign_new"),
        {"name": "x", "kind": "holiday", "template": _template().pk},
    )
    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_a_grid_worker_sees_only_the_recipients_and_counts_of_their_grids(
    client, staff_user, worker_b, two_grids
):
    campaign = _campaign(staff_user)
    client.force_login(worker_b)
    detail = client.get(reverse("messaging:campaign", args=[campaign.pk]))
    body = detail.content.decode()
    assert "杭州丙丁贸易有限公司" in body
    assert "上海甲乙科技有限公司" not in body
    assert detail.context["progress"].total == 1
    listing = client.get(reverse("messaging:campaigns"))
    assert [c.visible for c in listing.context["page"].object_list] == [1]


def test_progress_is_polled_until_every_message_is_done(client, staff_user, two_grids, gateway):
    campaign = _campaign(staff_user)
    client.force_login(staff_user)
    url = reverse("messaging:campaign", args=[campaign.pk])
    live = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in live.content.decode()
    assert "0 / 2 已完成" in live.content.decode()

    services.outbox_drain(max_seconds=10)
    live = client.get(url, headers={"HX-Request": "true"})
    body = live.content.decode()
    assert "hx-trigger" not in body
    assert "2 / 2 已完成" in body and "已发送" in body


def test_the_auditor_reads_the_outbox_with_numbers_masked(client, auditor, staff_user, two_grids):
    _campaign(staff_user)
    client.force_login(auditor)
    body = client.get(reverse("messaging:outbox")).content.decode()
    assert "139****5678" in body
    assert "13912345678" not in body


def test_staff_read_the_outbox_with_numbers_masked_like_everywhere(client, staff_user, two_grids):
    """Issue 14: the outbox showed staff every full mobile, none behind a logged "show"."""
    _campaign(staff_user)
    client.force_login(staff_user)
    body = client.get(reverse("messaging:outbox"), {"status": "queued"}).content.decode()
    assert "13912345678" not in body and "139****5678" in body and "发件箱" in body


def test_an_admin_edits_a_template_and_an_unknown_placeholder_is_refused_in_chinese(
    client, admin_user
):
    template = _template()
    client.force_login(admin_user)
    url = reverse("messaging:template_edit", args=[template.pk])
    response = client.post(url, {"name": "节日问候", "subject": "", "body": "{{ boss }}您好"})
    assert response.status_code == 400
    assert "未知的占位符" in response.content.decode()

    response = client.post(
        url, {"name": "节日问候", "subject": "", "body": "{{liaison}}您好，节日快乐！"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.body, template.updated_by) == ("{{ liaison }}您好，节日快乐！", admin_user)


def test_staff_read_templates_but_only_admins_edit_them(client, staff_user):
    client.force_login(staff_user)
    assert "年报提醒" in client.get(reverse("messaging:templates")).content.decode()
    url = reverse("messaging:template_edit", args=[_template().pk])
    assert client.get(url).status_code == 403
