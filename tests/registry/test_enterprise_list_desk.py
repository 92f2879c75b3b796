"""The enterprise list at the desk (issue 21): column headers sort (whitelisted keys only),
page numbers, the selection bar's actions per role, a bounded number of queries."""

import re

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db

LIST = reverse("registry:enterprises")


def _names(response) -> list[str]:
    return [e.name for e in response.context["page"].object_list]


def test_a_column_header_sorts_and_a_second_click_reverses(client, staff_user, grid_a):
    for name in ("乙公司", "甲公司", "丙公司"):
        EnterpriseFactory(grid=grid_a, name=name)
    client.force_login(staff_user)

    page = client.get(LIST)
    header = next(c for c in page.context["columns"] if c.label in ("企业", "Enterprise"))
    assert header.order == "ascending"  # the list is by name unless told otherwise
    reverse_sorted = client.get(LIST + header.href)

    assert "sort=-name" in header.href
    assert _names(reverse_sorted) == sorted(_names(page), reverse=True)
    status = next(c for c in reverse_sorted.context["columns"] if c.href.endswith("sort=status"))
    assert status.order == ""


def test_header_links_keep_the_filters_and_only_whitelisted_keys_sort(client, staff_user, grid_a):
    EnterpriseFactory(grid=grid_a, name="甲公司")
    client.force_login(staff_user)

    response = client.get(LIST, {"grid": "A", "sort": "password"})

    assert response.status_code == 200
    assert response.context["filters"].sort == "name"
    hrefs = [c.href for c in response.context["columns"] if c.href]
    assert hrefs and all("grid=A" in href for href in hrefs)
    keys = {re.search(r"sort=([-\w]+)", href).group(1) for href in hrefs}
    from registry.selectors import sort_keys

    assert keys <= set(sort_keys())


def test_key_enterprises_first_by_the_tier_header(client, staff_user, grid_a):
    EnterpriseFactory(grid=grid_a, name="一般企业")
    EnterpriseFactory(grid=grid_a, name="重点企业", key_taxpayer=True)
    client.force_login(staff_user)

    response = client.get(LIST, {"sort": "-tier"})

    assert _names(response)[0] == "重点企业"


def test_the_list_has_page_numbers(client, staff_user, grid_a):
    for _ in range(120):
        EnterpriseFactory(grid=grid_a)
    client.force_login(staff_user)

    html = client.get(LIST, {"page": "2", "grid": "A"}).content.decode()

    assert 'aria-current="page"' in html and 'data-testid="page-current">2<' in html
    assert 'data-testid="page-1"' in html and 'data-testid="page-3"' in html
    assert "grid=A&amp;page=3" in html


def test_the_selection_bar_offers_each_role_what_it_may_do(
    client, admin_user, staff_user, worker_a, auditor, enterprise_a
):
    def actions(user) -> set[str]:
        client.force_login(user)
        html = client.get(LIST).content.decode()
        return set(re.findall(r'data-testid="bulk-(\w+)"', html))

    assert actions(staff_user) == {"links", "campaign", "export"}
    assert actions(admin_user) == {"links", "campaign", "export"}
    assert actions(worker_a) == {"links", "export"}
    assert actions(auditor) == {"export"}


def test_the_selection_carries_the_filter_never_ids_of_all_that_match(
    client, staff_user, enterprise_a
):
    client.force_login(staff_user)

    html = client.get(LIST, {"grid": "A", "q": "甲乙"}).content.decode()

    form = html[html.index('id="selection"') : html.index("</form>", html.index('id="selection"'))]
    assert 'name="grid" value="A"' in form and 'name="q" value="甲乙"' in form
    assert 'name="all" value="1"' in form
    assert f'value="{enterprise_a.pk}"' not in form  # ticks are the rows', not the form's


def test_the_list_and_its_selection_bar_cost_the_same_queries_for_10_or_60_rows(
    client, staff_user, grid_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"sort": "-light"}).status_code == 200
        return len(queries)

    for _ in range(10):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a))
    client.force_login(staff_user)
    count()  # the industries menu is cached after the first list (registry.selectors)
    few = count()
    for _ in range(50):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a))
    many = count()

    assert few == many
    with django_assert_max_num_queries(13):
        client.get(LIST)
