"""The list answers with a bounded number of queries, whatever the page holds."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import EmergencyContactFactory, EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db

# Token and user, the user's role, the count, the page's ids, its rows (a deferred join:
# registry.paging), the current liaisons; for a whole unfiltered registry, first the planner's
# row estimate (pg_class: whether to count exactly).
LIST_QUERIES = 7


def _park(grid, n: int) -> None:
    for enterprise in EnterpriseFactory.create_batch(n, grid=grid):
        LiaisonFactory(enterprise=enterprise)
        EmergencyContactFactory(enterprise=enterprise)


@pytest.mark.parametrize("persona", ["staff_user", "worker_a"])
@pytest.mark.parametrize("n", [1, 50])
def test_the_list_takes_a_fixed_number_of_queries(
    api, request, grid_a, django_assert_max_num_queries, persona, n
):
    _park(grid_a, n)
    user = request.getfixturevalue(persona)
    client = api(user)
    Token.objects.get(user=user)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get("/api/enterprises/", {"q": "有限", "sort": "-updated"})
    assert response.status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get("/api/enterprises/")
    assert len(response.json()["results"]) == n
    assert all(row["current_liaison"] for row in response.json()["results"])


@pytest.mark.parametrize("n", [1, 50])
def test_liaisons_and_grid_areas_take_a_fixed_number_of_queries(
    api, staff_user, grid_a, django_assert_max_num_queries, n
):
    _park(grid_a, n)
    client = api(staff_user)
    for url in ("/api/liaisons/", "/api/grid-areas/"):
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200
