"""The buildings' people in the retention run: removed or replaced contacts leave the
history once the period has passed; present ones and recent changes stay."""

import datetime

import pytest
import time_machine

from registry import clock
from registry.buildings import services
from registry.models import BuildingContact
from registry.retention import (
    ERASED,
    RetentionScope,
    liaison_retention_years,
    retention_run,
    years_back,
)
from registry.sql.buildings import contacts_history_erase_reference
from registry.sql.history import event_model

pytestmark = pytest.mark.django_db


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), tzinfo=clock.local().tzinfo),
        tick=False,
    )


def _in_history(value: str) -> bool:
    rows = event_model(BuildingContact).objects.values_list("name", "phone", "organisation")
    return any(value in row for row in rows)


def test_removed_and_replaced_contacts_leave_the_history_after_the_period(staff_user):
    today = clock.today()
    long_ago = years_back(today, liaison_retention_years()) - datetime.timedelta(days=30)
    with _at(long_ago):
        building = services.building_create(by=staff_user, name="旧楼", address="四川北路1号")
        kept = services.building_contact_save(
            building=building, by=staff_user, role="landlord", name="钱房东", phone="13600000001"
        )
        services.building_contact_save(
            building=building, contact=kept, by=staff_user, phone="13600000002"
        )
        gone = services.building_contact_save(
            building=building, by=staff_user, role="front_desk", name="孙保安", phone="13600000003"
        )
        services.building_contact_delete(contact=gone, by=staff_user)
    with _at(today - datetime.timedelta(days=100)):
        recent = services.building_contact_save(
            building=building, by=staff_user, role="other", name="周邻居", phone="13600000004"
        )
        services.building_contact_delete(contact=recent, by=staff_user)
    scope = RetentionScope(
        now=clock.now(), liaison_cutoff=years_back(today, liaison_retention_years())
    )
    expected = contacts_history_erase_reference(cutoff_at=scope.cutoff_at, erased=ERASED)

    counts = retention_run(now=clock.now())

    erased = set(
        event_model(BuildingContact).objects.filter(name=ERASED).values_list("pgh_id", flat=True)
    )
    assert erased == expected and counts["building_contact_events"] == len(expected)
    assert not _in_history("13600000001")  # kept's old phone
    assert not _in_history("孙保安") and not _in_history("13600000003")
    assert _in_history("13600000002")  # kept's present phone
    assert _in_history("周邻居")  # removed 100 days ago: not yet
    assert BuildingContact.objects.get(pk=kept.pk).phone == "13600000002"
    assert retention_run(now=clock.now())["building_contact_events"] == 0
