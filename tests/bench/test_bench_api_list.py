"""The API's enterprise list at 100,000 enterprises: the same searches as the list page,
server time per request (token auth, JSON), against a plain ORM page of the same size."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registry.models import Enterprise
from tests.bench.test_bench_registry_list import CASES, DEEP_PAGE, deep_baseline
from tests.bench.timing import measure, report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title, params, baseline_filter", CASES, ids=[c[0] for c in CASES])
def test_api_list(staff_user, title, params, baseline_filter):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=staff_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def api_page():
        response = client.get("/api/enterprises/", params)
        assert response.status_code == 200

    def baseline():
        list(Enterprise.objects.filter(baseline_filter).order_by("name")[:50])

    report(f"API list: {title}", measure(api_page), measure(baseline))


def test_api_list_deep(staff_user):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=staff_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def api_page():
        response = client.get("/api/enterprises/", {"page": DEEP_PAGE})
        assert response.status_code == 200
        assert len(response.data["results"]) == 50

    report(f"API list: page {DEEP_PAGE}, no search", measure(api_page), measure(deep_baseline))
