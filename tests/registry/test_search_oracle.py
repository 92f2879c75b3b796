"""Search is not an oracle (issue 14): for a role that may not see full numbers, partial
digits never find a number, so adding one digit at a time cannot rebuild a masked mobile; a
whole number still finds its enterprise, and that lookup is in the log of sensitive views."""

import pytest
from django.urls import reverse

from registry import services
from registry.models import SensitiveView
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"  # enterprise_a's liaison (tests/conftest.py)


@pytest.fixture
def others(grid_a):
    """Enough neighbours that a digit-by-digit rebuild has something to tell apart."""
    for n in range(10):
        enterprise = EnterpriseFactory(grid=grid_a)
        LiaisonFactory(enterprise=enterprise, mobile=f"139{n}{n}{n}00000")


def _page_names(client, q) -> set[str]:
    response = client.get(reverse("registry:enterprises"), {"q": q})
    assert response.status_code == 200
    return {e.name for e in response.context["page"].object_list}


def _api_names(user, q) -> set[str]:
    response = token_client(user).get("/api/enterprises/", {"q": q})
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def _rebuild(find, target_name: str) -> str:
    """The attack of the issue: extend a prefix one digit at a time, keeping the digit for
    which the target stays in the results."""
    prefix = "139"
    while len(prefix) < 11:
        for digit in "0123456789":
            if target_name in find(prefix + digit):
                prefix += digit
                break
        else:
            return prefix
    return prefix


def test_the_auditor_cannot_rebuild_a_mobile_digit_by_digit_on_the_list_page(
    client, auditor, enterprise_a, others
):
    client.force_login(auditor)
    rebuilt = _rebuild(lambda q: _page_names(client, q), enterprise_a.name)
    assert rebuilt != MOBILE
    assert rebuilt == "139"  # not one digit learnt
    assert _page_names(client, "1234567") == set()
    assert _page_names(client, "5678") == set()


def test_the_auditor_cannot_rebuild_a_mobile_digit_by_digit_through_the_api(
    auditor, enterprise_a, others
):
    rebuilt = _rebuild(lambda q: _api_names(auditor, q), enterprise_a.name)
    assert rebuilt == "139"
    assert _api_names(auditor, "912345678") == set()


def test_a_whole_number_still_finds_the_enterprise_and_is_logged(
    client, auditor, enterprise_a, others
):
    client.force_login(auditor)
    assert _page_names(client, "139 1234 5678") == {enterprise_a.name}
    logged = SensitiveView.objects.get()
    assert logged.user == auditor
    assert logged.enterprise == enterprise_a
    assert logged.channel == SensitiveView.Channel.SEARCH
    assert "liaison.mobile" in logged.fields
    # The log keeps the number masked, never whole.
    assert MOBILE not in logged.detail
    assert "139****5678" in logged.detail

    assert _api_names(auditor, MOBILE) == {enterprise_a.name}
    assert SensitiveView.objects.count() == 2


def test_a_whole_number_that_finds_nothing_writes_nothing(client, auditor, enterprise_a):
    client.force_login(auditor)
    assert _page_names(client, "13800000000") == set()
    assert not SensitiveView.objects.exists()


def test_a_whole_registered_landline_finds_its_enterprise(client, auditor, enterprise_a):
    enterprise_a.registered_phone = "021-65551234"
    enterprise_a.save()
    client.force_login(auditor)
    assert _page_names(client, "021-6555") == set()
    assert _page_names(client, "021-65551234") == {enterprise_a.name}
    assert SensitiveView.objects.filter(enterprise=enterprise_a).count() == 1


@pytest.mark.parametrize("persona", ["staff_user", "worker_a", "admin_user"])
def test_roles_that_may_see_numbers_still_search_by_part_of_one_unlogged(
    client, request, enterprise_a, others, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert _page_names(client, "1234567") == {enterprise_a.name}
    assert _api_names(request.getfixturevalue(persona), "5678") == {enterprise_a.name}
    assert not SensitiveView.objects.exists()


def test_names_and_credit_codes_still_match_for_the_auditor(client, auditor, enterprise_a):
    client.force_login(auditor)
    assert _page_names(client, "甲乙") == {enterprise_a.name}
    assert _page_names(client, enterprise_a.uscc[-9:]) == {enterprise_a.name}


def test_a_whole_number_found_by_several_enterprises_logs_one_row_for_each(
    client, auditor, enterprise_a, grid_a
):
    """Each enterprise the number was found at has its row, so the auditor's enterprise
    filter finds the lookup from any of them."""
    other = EnterpriseFactory(grid=grid_a, name="南京同号物流有限公司")
    LiaisonFactory(enterprise=other, mobile=MOBILE)
    client.force_login(auditor)
    assert _page_names(client, MOBILE) == {enterprise_a.name, other.name}
    logged = SensitiveView.objects.all()
    assert {view.enterprise for view in logged} == {enterprise_a, other}
    assert all(view.channel == SensitiveView.Channel.SEARCH for view in logged)
    assert all(MOBILE not in view.detail for view in logged)
    for enterprise in (enterprise_a, other):
        response = client.get(reverse("registry:sensitive_views"), {"enterprise": enterprise.uscc})
        assert len(response.context["rows"]) == 1


def test_a_lookup_is_logged_with_the_channel_it_came_through_and_bounded(
    auditor, enterprise_a, others
):
    found = [enterprise_a, *EnterpriseFactory.create_batch(24)]
    rows = services.sensitive_lookup_record(
        by=auditor, number=MOBILE, enterprises=found, channel=SensitiveView.Channel.API
    )
    assert len(rows) == services.LOOKUP_LOGGED_ENTERPRISES == SensitiveView.objects.count()
    assert set(SensitiveView.objects.values_list("channel", flat=True)) == {"api"}
    assert SensitiveView.objects.filter(enterprise=enterprise_a).exists()
