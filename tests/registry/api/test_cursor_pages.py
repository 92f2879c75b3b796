"""The enterprise list by cursor (?paginate=cursor) and its estimated count (issue 22)."""

from unittest import mock

import pytest

from registry.api import views
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

URL = "/api/enterprises/"


def _walk(client, params: dict, *, between=None) -> list[str]:
    """Every uscc of a walk by cursor, following ``next``; ``between(i)`` runs after page i."""
    response = client.get(URL, {**params, "paginate": "cursor"})
    seen, i = [], 0
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        assert "count" not in body
        seen += [row["uscc"] for row in body["results"]]
        if body["next"] is None:
            return seen
        if between:
            between(i)
        i += 1
        response = client.get(body["next"])


def test_a_walk_by_cursor_sees_every_enterprise_once_in_the_order_of_id(api, staff_user, grid_a):
    made = EnterpriseFactory.create_batch(12, grid=grid_a)
    seen = _walk(api(staff_user), {"page_size": 5})
    assert seen == [e.uscc for e in sorted(made, key=lambda e: e.pk)]


def test_rows_added_or_removed_between_pages_neither_repeat_nor_skip_another(
    api, staff_user, grid_a
):
    made = EnterpriseFactory.create_batch(9, grid=grid_a)
    added = []

    def meanwhile(i):
        # A new enterprise (a higher id: at the end of the walk) and one already read gone.
        added.append(EnterpriseFactory(grid=grid_a))
        if i == 0:
            made[0].delete()

    seen = _walk(api(staff_user), {"page_size": 4}, between=meanwhile)
    assert len(seen) == len(set(seen))
    expected = {e.uscc for e in made} | {e.uscc for e in added}
    assert set(seen) == expected


def test_filters_hold_on_every_cursor_page(api, staff_user, grid_a, grid_b):
    in_b = EnterpriseFactory.create_batch(7, grid=grid_b, industry="制造业")
    EnterpriseFactory.create_batch(5, grid=grid_a, industry="制造业")
    EnterpriseFactory.create_batch(3, grid=grid_b, industry="批发和零售业")
    seen = _walk(api(staff_user), {"page_size": 3, "grid": "B", "industry": "制造业"})
    assert seen == [e.uscc for e in in_b]


def test_a_grid_worker_walks_only_their_grid(api, worker_a, grid_a, grid_b):
    mine = EnterpriseFactory.create_batch(4, grid=grid_a)
    EnterpriseFactory.create_batch(4, grid=grid_b)
    assert _walk(api(worker_a), {"page_size": 3}) == [e.uscc for e in mine]


def test_previous_links_lead_back(api, staff_user, grid_a):
    made = EnterpriseFactory.create_batch(6, grid=grid_a)
    client = api(staff_user)
    first = client.get(URL, {"paginate": "cursor", "page_size": 2}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [r["uscc"] for r in back["results"]] == [e.uscc for e in made[:2]]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "bz0xJnA9MQ==", "WzAsMCwiMSJd:1abcde:forged", "%00", "٣"],
)
def test_a_made_up_or_altered_cursor_is_a_400_naming_it_in_chinese(api, staff_user, cursor):
    response = api(staff_user, HTTP_ACCEPT_LANGUAGE="zh-hans").get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]
    assert response.json()["errors"]["cursor"] == ["游标无效：请从第一页重新开始。"]


def test_a_cursor_signed_for_other_values_is_refused(api, staff_user, grid_a):
    EnterpriseFactory.create_batch(3, grid=grid_a)
    client = api(staff_user)
    next_link = client.get(URL, {"paginate": "cursor", "page_size": 1}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert client.get(URL, {"cursor": tampered}).status_code == 400


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"paginate": "cursor", "page": "2"}, ["page"]),
        ({"paginate": "cursor", "sort": "name"}, ["sort"]),
        ({"paginate": "sideways"}, ["paginate"]),
        ({"paginate": "page", "cursor": "x"}, ["cursor"]),
    ],
)
def test_what_cannot_go_with_cursor_pages_is_a_400_naming_it(api, staff_user, params, named):
    response = api(staff_user).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == named


def test_page_numbers_stay_the_default_with_an_exact_count_when_small(api, staff_user, grid_a):
    EnterpriseFactory.create_batch(3, grid=grid_a)
    body = api(staff_user).get(URL).json()
    assert (body["count"], body["count_is_estimate"]) == (3, False)


def test_a_large_unfiltered_list_counts_by_the_estimate_and_says_so(
    api, staff_user, worker_a, grid_a
):
    EnterpriseFactory.create_batch(7, grid=grid_a)
    with mock.patch.object(views, "row_estimate", return_value=25_000):
        client = api(staff_user)
        body = client.get(URL, {"page_size": 5}).json()
        assert (body["count"], body["count_is_estimate"]) == (25_000, True)
        assert "page=2" in body["next"]
        # The last real page has no next, whatever the estimate says; past it, a 404.
        last = client.get(URL, {"page_size": 5, "page": 2}).json()
        assert (len(last["results"]), last["next"]) == (2, None)
        assert client.get(URL, {"page_size": 5, "page": 3}).status_code == 404
        # Filtered, or a grid worker's part: counted exactly.
        filtered = client.get(URL, {"grid": "A"}).json()
        assert (filtered["count"], filtered["count_is_estimate"]) == (7, False)
        mine = api(worker_a).get(URL).json()
        assert (mine["count"], mine["count_is_estimate"]) == (7, False)


def test_other_lists_keep_page_numbers(api, staff_user, enterprise_a):
    body = api(staff_user).get("/api/liaisons/", {"paginate": "cursor"}).json()
    assert (body["count"], body["count_is_estimate"]) == (1, False)
