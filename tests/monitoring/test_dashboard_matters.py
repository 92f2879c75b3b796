"""The dashboard's first-contact desk tiles: matters not closed and overdue, in the user's
scope (a grid worker: their grids), each a link to the matter list showing the same matters."""

import datetime
import re

import pytest
from django.urls import reverse

from outreach.matters.models import MatterCategory
from outreach.matters.services import matter_intake, matters_remind
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _tile(page: str, testid: str) -> tuple[int, str]:
    match = re.search(
        rf'<a [^>]*href="([^"]+)"[^>]*data-testid="{testid}">'
        r'<span class="figure">(\d+)</span>',
        page,
    )
    assert match, testid
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


@pytest.fixture
def matters(staff_user, enterprise_a, grid_b):
    tax = MatterCategory.objects.get(name="税务", parent=None)
    enterprise_b = EnterpriseFactory(grid=grid_b)

    def take_in(enterprise, **kwargs):
        return matter_intake(
            channel="phone",
            category=tax,
            description="问题",
            by=staff_user,
            enterprise=enterprise,
            **kwargs,
        )

    late = take_in(enterprise_a)
    take_in(enterprise_a)
    take_in(enterprise_a, disposition="answered", answer="已答复")  # closed: not counted
    take_in(enterprise_b)
    matters_remind(now=late.resolution_due + datetime.timedelta(minutes=1))
    return late


def test_the_dashboard_counts_open_and_overdue_matters_with_links(client, staff_user, matters):
    client.force_login(staff_user)
    page = client.get(reverse("home")).content.decode()
    open_count, open_url = _tile(page, "matters-open")
    overdue_count, overdue_url = _tile(page, "matters-overdue")
    assert (open_count, overdue_count) == (3, 3)  # every open one is past its limit by then
    listed = client.get(overdue_url).content.decode()
    assert matters.number in listed and "已逾期" in listed
    assert "未办结诉求" in page and "逾期诉求" in page
    assert client.get(open_url).status_code == 200


def test_a_grid_worker_sees_the_matters_of_their_grids(client, worker_a, worker_b, matters):
    client.force_login(worker_a)
    page = client.get(reverse("home")).content.decode()
    assert _tile(page, "matters-open")[0] == 2
    client.force_login(worker_b)
    page = client.get(reverse("home")).content.decode()
    assert (_tile(page, "matters-open")[0], _tile(page, "matters-overdue")[0]) == (1, 1)


def test_no_matter_overdue_is_not_shown_in_red(client, auditor, enterprise_a, staff_user):
    client.force_login(auditor)
    page = client.get(reverse("home")).content.decode()
    assert _tile(page, "matters-overdue")[0] == 0
    assert 'class="card tile red" href' not in page.split('data-testid="matters-tiles"')[1][:400]
