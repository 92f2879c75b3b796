"""Walking the API's enterprise list at 100,000 enterprises (issue 22): by cursor every page
costs what the first does (``WHERE id > …``), where page numbers pay an OFFSET that grows with
the page. In-process medians (token auth, JSON), in one run; the first page and page 1000 are
timed in turns, so a change of the machine's load falls on both."""

import statistics
import time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registry.api.pagination import RegistryCursorPagination
from registry.models import Enterprise
from tests.bench.timing import measure

pytestmark = pytest.mark.django_db

URL = "/api/enterprises/"
# Page 1000 by cursor may cost at most this many first pages.
DEEP_PAGE_BUDGET = 1.5
DEEP_PAGE = 1000
WALKED_PAGES = 100
PAGE = 50


def _client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _line(title: str, measured: dict) -> None:
    print(
        f"  {title:<44} median {measured['median_ms']:8.1f} ms   p95 {measured['p95_ms']:8.1f} ms"
    )


def _in_turns(calls: dict, *, repeat: int = 30, warmup: int = 3) -> dict[str, dict]:
    samples = {name: [] for name in calls}
    for round_ in range(warmup + repeat):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            if round_ >= warmup:
                samples[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {
            "median_ms": statistics.median(times),
            "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)],
        }
        for name, times in samples.items()
    }


def test_walking_the_registry_by_cursor(staff_user):
    total = Enterprise.objects.count()
    assert total >= DEEP_PAGE * PAGE, "needs the bench's 100,000 enterprises"
    client = _client(staff_user)

    def get(url, params=None):
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    # A walk by next links, as a client does it.
    started = time.perf_counter()
    body = get(URL, {"paginate": "cursor"})
    for _ in range(WALKED_PAGES - 1):
        body = get(body["next"])
    walked_ms = (time.perf_counter() - started) * 1000 / WALKED_PAGES
    # Page 1000: the cursor a walk would hold after 999 pages.
    last_of_999 = Enterprise.objects.order_by("id").values_list("id", flat=True)[
        (DEEP_PAGE - 1) * PAGE - 1
    ]
    deep_cursor = RegistryCursorPagination.cursor_after(str(last_of_999))
    deep = get(URL, {"cursor": deep_cursor})
    assert (
        deep["results"][0]["uscc"] == Enterprise.objects.order_by("id")[(DEEP_PAGE - 1) * PAGE].uscc
    )

    timed = _in_turns(
        {
            "first": lambda: get(URL, {"paginate": "cursor"}),
            "deep": lambda: get(URL, {"cursor": deep_cursor}),
        }
    )
    page_numbers = _in_turns(
        {"first": lambda: get(URL), "deep": lambda: get(URL, {"page": DEEP_PAGE})}, repeat=5
    )
    filtered_first = measure(lambda: get(URL, {"paginate": "cursor", "grid": "B07"}))
    ratio = timed["deep"]["median_ms"] / timed["first"]["median_ms"]
    print(f"\nAPI list walked by cursor at {total:,} enterprises")
    _line("cursor, first page", timed["first"])
    _line(f"cursor, page {DEEP_PAGE}", timed["deep"])
    _line("cursor, first page of one grid (grid=B07)", filtered_first)
    _line("page numbers, page 1 (estimated count)", page_numbers["first"])
    _line(f"page numbers, page {DEEP_PAGE} (OFFSET)", page_numbers["deep"])
    print(
        f"  a walk of {WALKED_PAGES} pages by next links: {walked_ms:.1f} ms a page\n"
        f"  budget: page {DEEP_PAGE} by cursor at most {DEEP_PAGE_BUDGET}x the first "
        f"({ratio:.2f}x)"
    )
    assert ratio <= DEEP_PAGE_BUDGET
