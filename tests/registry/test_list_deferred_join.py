"""Deep pages of the enterprise list by a deferred join (issue 22, registry.paging): the same
rows, order and fields as slicing the annotated queryset did, for every sort, filter and
search; the OFFSET's query and the count read no annotation; last and out-of-range pages
and a grid worker's scope unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import ContactHealth
from registry import annual_reports, clock, listing
from registry.models import AnnualReport
from registry.selectors import (
    EnterpriseFilters,
    enterprise_list,
    enterprise_pages,
    sort_keys,
)
from tests.factories import EnterpriseFactory, GridAreaFactory, LiaisonFactory
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

LIST = reverse("registry:enterprises")
API = "/api/enterprises/"
# Fields of a list row, annotations included, read the same way from both paths.
ROW = ("pk", "uscc", "name", "tier", "status", "size", "industry", "updated_at")
ANNOTATIONS = ("also_liaison_of", "annual_report_overdue")


@pytest.fixture
def registry(grid_a, grid_b):
    """27 enterprises over two grids and a third: duplicate names (ties broken by id), an
    agent who is the liaison of three, health rows (the light's sort), filed reports."""
    other = GridAreaFactory(code="C", name="丙网格")
    grids = [grid_a, grid_b, other]
    names = ["华信科技有限公司", "东方贸易有限公司", "华信科技有限公司", "星河物流有限公司"]
    enterprises = []
    for i in range(27):
        enterprise = EnterpriseFactory(
            grid=grids[i % 3],
            name=names[i % 4],
            industry=["制造业", "批发和零售业"][i % 2],
            size=["large", "small", "micro"][i % 3],
            key_taxpayer=i % 5 == 0,
            status="operating" if i % 7 else "closed",
        )
        enterprises.append(enterprise)
        mobile = "13900000001" if i % 9 == 0 else None  # the agent's three enterprises
        LiaisonFactory(enterprise=enterprise, **({"mobile": mobile} if mobile else {}))
        if i % 4 == 0:
            ContactHealth.objects.create(enterprise=enterprise, consecutive_failures=i % 5)
        if i % 3 == 0:
            AnnualReport.objects.create(
                enterprise=enterprise,
                year=clock.today().year - 1,
                filed=True,
                updated_at=clock.now(),
            )
    return enterprises


def _row(enterprise) -> tuple:
    return (
        *(getattr(enterprise, name) for name in ROW),
        *(getattr(enterprise, name, None) for name in ANNOTATIONS),
        enterprise.grid.code,
        getattr(getattr(enterprise, "health", None), "consecutive_failures", None),
        sorted(liaison.mobile for liaison in enterprise.liaisons.all()),
    )


def _old_and_new_pages(user, filters: EnterpriseFilters, size: int):
    """Each page as the annotated queryset's slice gave it and as the deferred join does."""
    old = enterprise_list(user=user, filters=filters)
    new = enterprise_pages(user=user, filters=filters)
    count = old.count()
    assert new.count() == count
    pages = []
    for bottom in range(0, count + size, size):
        pages.append(
            (
                [_row(e) for e in old[bottom : bottom + size]],
                [_row(e) for e in new[bottom : bottom + size]],
            )
        )
    return count, pages


FILTERS = [
    EnterpriseFilters(),
    EnterpriseFilters(q="华信"),
    EnterpriseFilters(q="13900000001"),
    EnterpriseFilters(grid="B", tier="key"),
    EnterpriseFilters(status="closed", sort="-updated"),
    EnterpriseFilters(size="small", industry="制造业", sort="-grid"),
    EnterpriseFilters(extra={"light": "green"}, sort="-light"),
    EnterpriseFilters(extra={"annual_report": "not_filed"}),
]


@pytest.mark.parametrize("sort", sort_keys())
def test_every_sort_gives_the_same_pages(staff_user, registry, sort):
    count, pages = _old_and_new_pages(staff_user, EnterpriseFilters(sort=sort), size=4)
    assert count == 27
    for old, new in pages:
        assert new == old


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[:60])
def test_every_filter_and_search_gives_the_same_pages(staff_user, registry, filters):
    count, pages = _old_and_new_pages(staff_user, filters, size=5)
    assert count > 0
    seen = [row for _old, new in pages for row in new]
    assert len(seen) == count and len({row[0] for row in seen}) == count
    for old, new in pages:
        assert new == old


def test_a_grid_workers_pages_keep_to_their_grid(worker_a, registry, grid_a):
    count, pages = _old_and_new_pages(worker_a, EnterpriseFilters(sort="-name"), size=4)
    assert count == 9
    for old, new in pages:
        assert new == old
    ids = {row[0] for _old, new in pages for row in new}
    assert ids == {e.pk for e in registry if e.grid_id == grid_a.pk}


def test_the_pages_offset_and_count_read_no_annotation(staff_user, registry):
    pages = enterprise_pages(user=staff_user, filters=EnterpriseFilters(sort="-light"))
    with CaptureQueriesContext(connection) as queries:
        assert pages.count() == 27
        rows = pages[20:25]
    count_sql, ids_sql, rows_sql, *_prefetch = [q["sql"] for q in queries.captured_queries]
    for narrow in (count_sql, ids_sql):
        assert "agent_of" not in narrow and "registry_annualreport" not in narrow
    assert "OFFSET 20" in ids_sql and "agent_of" not in ids_sql
    # The annotations are computed for the page's five rows only, without an OFFSET (the
    # annual report's is a constant until its deadline has passed this year).
    assert "agent_of" in rows_sql
    assert ("registry_annualreport" in rows_sql) == annual_reports.overdue(clock.today())
    assert "OFFSET" not in rows_sql
    assert len(rows) == 5


def _api_names(response) -> list[str]:
    return [row["uscc"] for row in response.json()["results"]]


def test_api_pages_last_page_and_out_of_range(staff_user, registry):
    client = token_client(staff_user)
    expected = [e.uscc for e in enterprise_list(user=staff_user, filters=EnterpriseFilters())]
    walked = []
    for page in range(1, 7):
        response = client.get(API, {"page": page, "page_size": 5})
        assert response.status_code == 200
        assert response.json()["count"] == 27
        walked += _api_names(response)
    assert walked == expected
    last = client.get(API, {"page": "last", "page_size": 5})
    assert _api_names(last) == expected[25:] and last.json()["next"] is None
    assert client.get(API, {"page": 7, "page_size": 5}).status_code == 404


def test_api_rows_keep_their_fields(staff_user, registry):
    client = token_client(staff_user)
    first = client.get(API, {"page_size": 200, "sort": "grid"}).json()["results"]
    paged = []
    for page in range(1, 5):
        paged += client.get(API, {"page": page, "page_size": 7, "sort": "grid"}).json()["results"]
    assert paged == first


def test_api_as_a_grid_worker_sees_their_grid_only(worker_a, registry, grid_a):
    client = token_client(worker_a)
    response = client.get(API, {"page": 2, "page_size": 5})
    assert response.status_code == 200 and response.json()["count"] == 9
    expected = [e.uscc for e in enterprise_list(user=worker_a, filters=EnterpriseFilters())]
    assert _api_names(response) == expected[5:]
    assert client.get(API, {"page": 3, "page_size": 5}).status_code == 404


def test_list_page_last_and_out_of_range(client, staff_user, registry, settings):
    client.force_login(staff_user)
    expected = [e.pk for e in enterprise_list(user=staff_user, filters=EnterpriseFilters())]
    response = client.get(LIST, {"page": 1})
    assert [e.pk for e in response.context["page"].object_list] == expected
    # One page of 50 holds all 27; page 9 is the last page, as Django's get_page makes it.
    beyond = client.get(LIST, {"page": 9})
    assert beyond.status_code == 200 and beyond.context["page"].number == 1
    assert [e.pk for e in beyond.context["page"].object_list] == expected
    assert client.get(LIST, {"page": "abc"}).context["page"].number == 1


def test_list_page_rows_keep_their_cells(client, staff_user, registry, monkeypatch):
    from registry import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(staff_user)
    old = list(enterprise_list(user=staff_user, filters=EnterpriseFilters(sort="-light")))
    shown = []
    for page in range(1, 8):
        response = client.get(LIST, {"page": page, "sort": "-light"})
        assert response.context["page"].number == page
        shown += response.context["page"].object_list

    # The light's cell gives a row without health a fresh one (health_of): left out here.
    def cells(enterprise) -> tuple:
        row = _row(enterprise)
        return (*row[:-2], row[-1], enterprise.extra_cells, enterprise.name_cells)

    for enterprise in old:
        enterprise.extra_cells = listing.cells(enterprise)
        enterprise.name_cells = listing.name_cells(enterprise)
    assert [cells(e) for e in shown] == [cells(e) for e in old]
    last = client.get(LIST, {"page": 99, "sort": "-light"})
    assert last.context["page"].number == 7
    assert [e.pk for e in last.context["page"].object_list] == [e.pk for e in old[24:]]
