"""The enterprise list at 100,000 enterprises: search + filter, server time per request,
against a plain ORM page of the same size as the baseline."""

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from registry.models import Enterprise
from tests.bench.timing import measure, report

pytestmark = pytest.mark.django_db

CASES = [
    ("no search, first page", {}, Q()),
    ("search by part of the name (华信)", {"q": "华信"}, Q(name__icontains="华信")),
    (
        "search by part of the name + key tier + grid",
        {"q": "杭州华信", "tier": "key", "grid": "B02"},
        Q(name__icontains="杭州华信") & Q(key_taxpayer=True) & Q(grid__code="B02"),
    ),
    (
        "search by liaison phone digits",
        {"q": "13900012345"},
        Q(liaisons__mobile__contains="13900012345", liaisons__ended_on__isnull=True),
    ),
    ("search by credit code part", {"q": "00000004242"}, Q(uscc__contains="00000004242")),
    # Issue 21: pinyin, initials, a typo (nothing matches as typed), a key matching nothing.
    ("search by pinyin (huaxin)", {"q": "huaxin"}, Q(name_pinyin__contains="huaxin")),
    ("search by initials (hx)", {"q": "hx"}, Q(name_pinyin__contains="hx")),
    (
        "search with a typo (shanghaihuaxn)",
        {"q": "shanghaihuaxn"},
        Q(name_pinyin__trigram_word_similar="shanghaihuaxn"),
    ),
    ("search matching nothing (qwertyzx)", {"q": "qwertyzx"}, Q(name_pinyin__contains="qwertyzx")),
]


@pytest.mark.parametrize("title, params, baseline_filter", CASES, ids=[c[0] for c in CASES])
def test_list_page(staff_user, title, params, baseline_filter):
    client = Client()
    client.force_login(staff_user)
    url = reverse("registry:enterprises")

    def page():
        response = client.get(url, params)
        assert response.status_code == 200

    def baseline():
        list(Enterprise.objects.filter(baseline_filter).order_by("name")[:50])

    report(f"List page: {title}", measure(page), measure(baseline))


def test_grid_worker_list_page(worker_a, grid_a):
    # The grid worker's scope is a join through their grid areas.
    Enterprise.objects.filter(grid__code="B03").update(grid=grid_a)
    client = Client()
    client.force_login(worker_a)
    url = reverse("registry:enterprises")

    def page():
        assert client.get(url, {"q": "有限"}).status_code == 200

    def baseline():
        list(Enterprise.objects.filter(grid=grid_a, name__icontains="有限").order_by("name")[:50])

    report("List page as a grid worker (one grid of 5,000)", measure(page), measure(baseline))


# Issue 22: a deep page (page 1000 of 50, rows 49,951 to 50,000), against a plain ORM page at
# the same OFFSET: what a page costs beyond what its OFFSET must skip in any case.
DEEP_PAGE = 1000


def deep_baseline() -> None:
    bottom = (DEEP_PAGE - 1) * 50
    list(Enterprise.objects.order_by("name", "id")[bottom : bottom + 50])


def test_list_page_deep(staff_user):
    client = Client()
    client.force_login(staff_user)
    url = reverse("registry:enterprises")

    def page():
        response = client.get(url, {"page": DEEP_PAGE})
        assert response.status_code == 200
        assert response.context["page"].number == DEEP_PAGE

    report(f"List page: page {DEEP_PAGE}, no search", measure(page), measure(deep_baseline))
