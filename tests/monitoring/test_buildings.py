"""Buildings in monitoring (房东联络群): the building page shows its enterprises' lights; a
building with several red or yellow enterprises stands out on the dashboard, in the user's
scope; step 2 of the emergency procedure (外围突破) offers the building's contacts, masked,
and records whom was asked and what they said."""

import pytest
from django.urls import reverse

from core.errors import ServiceError
from monitoring.dashboard import dashboard_for
from monitoring.models import Evidence, RuleSettings
from monitoring.services import evidence_add, procedure_advance, procedure_start
from registry.buildings import services as buildings
from registry.models import Enterprise
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.monitoring.conftest import TODAY, log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def tower(staff_user, grid_a):
    building = buildings.building_create(
        by=staff_user, name="虹口一号楼", address="四川北路1号", grid=grid_a
    )
    buildings.building_contact_save(
        building=building,
        by=staff_user,
        role="property_manager",
        name="陈经理",
        organisation="虹口物业",
        phone="13611112222",
    )
    return building


def _tenant(grid, building, failures: int, name: str = ""):
    enterprise = EnterpriseFactory(grid=grid, building=building, **({"name": name} if name else {}))
    LiaisonFactory(enterprise=enterprise)
    for _ in range(failures):
        log(enterprise)
    return enterprise


def test_the_building_page_shows_each_enterprise_with_its_light(client, staff_user, tower, grid_a):
    _tenant(grid_a, tower, 3, name="红灯公司")
    _tenant(grid_a, tower, 0, name="绿灯公司")
    client.force_login(staff_user)
    page = client.get(reverse("registry:building", args=[tower.pk])).content.decode()
    assert page.count('data-testid="light"') == 2
    assert 'data-light="red"' in page and 'data-light="green"' in page


def test_a_building_with_several_red_or_yellow_enterprises_stands_out(
    client, staff_user, worker_a, worker_b, tower, grid_a, grid_b
):
    _tenant(grid_a, tower, 3)
    _tenant(grid_a, tower, 2)
    _tenant(grid_b, tower, 3)
    _tenant(grid_a, tower, 0)
    board = dashboard_for(user=staff_user)
    assert [(b.name, b.red, b.yellow) for b in board.buildings] == [("虹口一号楼", 2, 1)]
    client.force_login(staff_user)
    assert 'data-testid="buildings-attention"' in client.get(reverse("home")).content.decode()
    # Grid A's worker sees two of the three: below the default of three.
    assert dashboard_for(user=worker_a).buildings == []
    RuleSettings.objects.filter(pk=1).update(building_attention_count=2)
    assert [b.red for b in dashboard_for(user=worker_a).buildings] == [1]
    assert dashboard_for(user=worker_b).buildings == []


def _at_step_2(enterprise, staff_user):
    procedure = procedure_start(enterprise=enterprise, by=staff_user)
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.EMS_LETTER,
        occurred_on=TODAY,
        tracking_number="EA123456789CN",
        by=staff_user,
    )
    return procedure_advance(procedure=procedure, by=staff_user)


def test_step_2_offers_the_buildings_contacts_masked_with_a_call_for_those_who_may(
    client, staff_user, auditor, tower, grid_a
):
    red = _tenant(grid_a, tower, 3)
    procedure = _at_step_2(red, staff_user)
    contact = tower.contacts.get()
    url = reverse("registry:enterprise", args=[red.uscc])
    client.force_login(staff_user)
    page = client.get(url).content.decode()
    assert 'data-testid="whom-to-ask"' in page and "陈经理" in page
    assert "136****2222" in page and "13611112222" not in page
    assert reverse("registry:building_contact_reveal", args=[contact.pk]) in page
    asked = reverse("monitoring:evidence_add", args=[procedure.pk]) + f"?contact={contact.pk}"
    assert asked in page
    form = client.get(asked).content.decode()
    assert f'<option value="{contact.pk}" selected>' in form
    client.force_login(auditor)
    page = client.get(url).content.decode()
    assert "136****2222" in page
    assert reverse("registry:building_contact_reveal", args=[contact.pk]) not in page


def test_step_2_records_whom_was_asked_and_what_they_said(client, staff_user, tower, grid_a):
    red = _tenant(grid_a, tower, 3)
    procedure = _at_step_2(red, staff_user)
    contact = tower.contacts.get()
    client.force_login(staff_user)
    response = client.post(
        reverse("monitoring:evidence_add", args=[procedure.pk]),
        {
            "kind": "property",
            "occurred_on": TODAY.isoformat(),
            "building_contact": contact.pk,
            "summary": "上月已搬走，办公室清空",
        },
    )
    assert response.status_code == 302
    evidence = procedure.evidence.get(step=2)
    assert evidence.building_contact == contact
    assert evidence.who.startswith("陈经理（") and "虹口物业" in evidence.who
    page = client.get(reverse("registry:enterprise", args=[red.uscc])).content.decode()
    assert "上月已搬走" in page


def test_a_contact_of_another_building_is_refused(staff_user, tower, grid_a):
    red = _tenant(grid_a, tower, 3)
    procedure = _at_step_2(red, staff_user)
    elsewhere = buildings.building_create(by=staff_user, name="别处", address="四平路9号")
    stranger = buildings.building_contact_save(
        building=elsewhere, by=staff_user, role="landlord", name="赵先生", phone="13699990000"
    )
    with pytest.raises(ServiceError):
        evidence_add(
            procedure=procedure,
            kind=Evidence.Kind.LANDLORD,
            occurred_on=TODAY,
            building_contact=stranger,
            summary="不认识这家公司",
            by=staff_user,
        )
    assert not procedure.evidence.filter(step=2).exists()


def test_the_demo_park_has_buildings_with_people_tenants_and_one_standing_out(staff_user):
    import io

    from django.core.management import call_command

    from registry.models import Building, BuildingSuggestion

    call_command("seed_demo", "--enterprises", "60", "--seed", "7", stdout=io.StringIO())
    assert Building.objects.count() == 3
    assert all(building.contacts.count() == 3 for building in Building.objects.all())
    assert Enterprise.objects.filter(building__isnull=False).count() >= 9
    assert BuildingSuggestion.objects.filter(status="open").count() == 3
    assert dashboard_for(user=staff_user).buildings
