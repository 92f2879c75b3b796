"""The buildings' suggestions over the whole registry: 100,000 enterprises, 1,000 buildings
at the addresses of one enterprise in a hundred (each address with a floor and room added, so
the key must be computed, not compared). Printed beside a baseline measured in the same run:
the same suggestions found by Python's address_key over every enterprise, per row."""

import time

import pytest
from django.db import connection, transaction

from registry import clock
from registry.address_key import address_key
from registry.buildings.services import building_suggestions_refresh
from registry.models import Building, BuildingSuggestion, Enterprise

pytestmark = pytest.mark.django_db

BUILDINGS = 1_000


@pytest.fixture
def buildings():
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_enterprise SET registered_address = registered_address || '3层301室'"
            " WHERE registered_address NOT LIKE '%%室'"
        )
    step = max(1, Enterprise.objects.count() // BUILDINGS)
    addresses = list(
        Enterprise.objects.order_by("pk").values_list("registered_address", flat=True)[::step]
    )[:BUILDINGS]
    Building.objects.bulk_create(
        Building(name=f"楼{i}", address=a.replace("3层301室", ""), address_key=address_key(a))
        for i, a in enumerate(addresses)
    )
    return len(addresses)


def test_suggestions_over_the_whole_registry(buildings):
    started = time.perf_counter()
    with transaction.atomic():
        added, _gone = building_suggestions_refresh(now=clock.now())
    portal = time.perf_counter() - started
    started = time.perf_counter()
    keys = dict(Building.objects.values_list("address_key", "pk"))
    found = sum(
        1
        for address in Enterprise.objects.values_list("registered_address", flat=True).iterator()
        if address_key(address) in keys
    )
    baseline = time.perf_counter() - started
    print(
        f"\nbuilding suggestions, {Enterprise.objects.count()} enterprises, {buildings} buildings"
        f"\n  portal (one statement): {portal * 1000:8.0f} ms, {added} suggestions"
        f"\n  baseline (Python per row): {baseline * 1000:8.0f} ms, {found} matches"
    )
    assert added == found == BuildingSuggestion.objects.count() >= buildings
    # One building saved (a page's request): only the addresses holding its street's name.
    building = Building.objects.order_by("pk").last()
    BuildingSuggestion.objects.filter(building=building).delete()
    started = time.perf_counter()
    assert building_suggestions_refresh(now=clock.now(), building=building) == (1, 0)
    print(f"  one building saved: {(time.perf_counter() - started) * 1000:8.0f} ms")
