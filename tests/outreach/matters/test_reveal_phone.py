"""The requester's phone on the matter page: masked for everyone; "显示" shows it in full to
a role that may see full phones, and every such view is in the log of sensitive views (who,
which matter, when, from where; never the number), as the enterprise page's "show"."""

import pytest
from django.urls import reverse

from registry.models import SecurityEvent, SensitiveView

pytestmark = pytest.mark.django_db

FULL = "13912345678"  # enterprise A's liaison, who brought the matter


def _page(client, matter):
    return client.get(reverse("outreach:matters:detail", args=[matter.pk])).content.decode()


def _show(client, matter, **extra):
    return client.post(reverse("outreach:matters:reveal_phone", args=[matter.pk]), **extra)


def test_the_phone_is_masked_and_show_reveals_it_and_logs_who_saw_it(
    client, worker_a, enterprise_a, intake
):
    matter = intake()
    client.force_login(worker_a)
    page = _page(client, matter)
    assert "139****5678" in page and FULL not in page
    assert 'data-testid="show-requester-phone"' in page and "显示" in page

    response = _show(client, matter, HTTP_USER_AGENT="pytest-browser", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert (
        f'<span class="revealed" data-testid="revealed">{FULL}</span>' in response.content.decode()
    )
    logged = SensitiveView.objects.get()
    assert (logged.user, logged.enterprise, logged.record, logged.record_id) == (
        worker_a,
        enterprise_a,
        "matter",
        str(matter.pk),
    )
    assert (logged.fields, logged.channel, logged.ip_address, logged.user_agent) == (
        ["matter.requester_phone"],
        "page",
        "10.1.2.3",
        "pytest-browser",
    )
    assert logged.detail == f"诉求 {matter.number}" and FULL not in logged.detail
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.REVEAL)
    assert event.target == enterprise_a.uscc and FULL not in str(event.detail)
    # Every show is a view: a second one is a second row.
    _show(client, matter)
    assert SensitiveView.objects.count() == 2


def test_an_auditor_reads_the_matter_masked_without_a_show_button_and_is_refused(
    client, auditor, intake
):
    matter = intake()
    client.force_login(auditor)
    page = _page(client, matter)
    assert "139****5678" in page and FULL not in page
    assert 'data-testid="show-requester-phone"' not in page
    assert _show(client, matter).status_code == 403
    assert not SensitiveView.objects.exists()


def test_another_grids_worker_does_not_find_the_matter(client, worker_b, intake):
    matter = intake()
    client.force_login(worker_b)
    assert _show(client, matter).status_code == 404
    assert client.get(reverse("outreach:matters:reveal_phone", args=[matter.pk])).status_code == 405
    assert not SensitiveView.objects.exists()


def test_an_unidentified_callers_phone_is_shown_and_logged_by_the_matters_number(
    client, staff_user, admin_user, intake
):
    matter = intake(enterprise=None, liaison=None, requester_phone="137 0000 9999")
    client.force_login(staff_user)
    page = _page(client, matter)
    assert "137****9999" in page and "13700009999" not in page

    assert "13700009999" in _show(client, matter).content.decode()

    logged = SensitiveView.objects.get()
    assert (logged.enterprise, logged.record, logged.fields) == (
        None,
        "matter",
        ["matter.requester_phone"],
    )
    # The auditors' and admins' log says which matter, and never the number.
    client.force_login(admin_user)
    log = client.get(reverse("registry:sensitive_views")).content.decode()
    assert f"诉求 {matter.number}" in log and "13700009999" not in log
    assert "诉求人电话" in log or "电话" in log


def test_a_matter_without_a_phone_has_nothing_to_show(client, staff_user, intake):
    matter = intake(enterprise=None, liaison=None, requester_name="王先生")
    client.force_login(staff_user)
    assert 'data-testid="show-requester-phone"' not in _page(client, matter)
    assert _show(client, matter).status_code == 404
    assert not SensitiveView.objects.exists()
