"""Buildings and their people: suggestions confirmed and rejected, scoping by grid, the
contacts' phones masked and shown only by a logged "show"."""

import pytest
from django.urls import reverse
from django.utils import translation

from registry import clock
from registry.buildings import services
from registry.models import BuildingSuggestion, Enterprise, SensitiveView
from registry.selectors import enterprise_history
from registry.timeline import enterprise_timeline
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tower(staff_user, grid_a):
    building = services.building_create(
        by=staff_user,
        name="虹口一号楼",
        address="上海市虹口区四川北路1号",
        grid=grid_a,
        property_company="虹口物业",
        landlord="上海某置业有限公司",
    )
    services.building_contact_save(
        building=building,
        by=staff_user,
        role="property_manager",
        name="陈经理",
        phone="13611112222",
    )
    return building


def _suggestion(enterprise) -> BuildingSuggestion:
    return BuildingSuggestion.objects.get(enterprise=enterprise)


def test_a_new_building_suggests_the_enterprises_whose_address_names_it(staff_user, grid_a):
    tenant = EnterpriseFactory(grid=grid_a, registered_address="上海市虹口区四川北路１号 12层")
    EnterpriseFactory(grid=grid_a, registered_address="上海市虹口区四川北路11号")
    building = services.building_create(by=staff_user, name="一号楼", address="四川北路1号")
    assert [s.enterprise for s in building.suggestions.all()] == [tenant]


def test_confirming_links_the_enterprise_with_history(client, staff_user, tower, grid_a):
    tenant = EnterpriseFactory(grid=grid_a, registered_address="四川北路1号305室")
    services.building_suggestions_refresh(now=clock.now())
    client.force_login(staff_user)
    response = client.post(
        reverse("registry:building_suggestion_confirm", args=[_suggestion(tenant).pk])
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.building == tower
    assert _suggestion(tenant).status == "confirmed"
    change = [e for e in enterprise_history(enterprise=tenant) if e.action == "update"][-1]
    assert change.username == staff_user.username and "building_id" in change.changes
    # The building page lists it; a second confirmation is told it is done, not a 500.
    page = client.get(reverse("registry:building", args=[tower.pk])).content.decode()
    assert tenant.name in page
    # The enterprise's timeline names the building it moved into.
    with translation.override("en"):
        moves = [
            (change.old, change.new)
            for item in enterprise_timeline(enterprise=tenant, user=staff_user)
            for change in item.changes
            if change.label == "building"
        ]
    assert moves == [("", "虹口一号楼")]
    again = client.post(
        reverse("registry:building_suggestion_confirm", args=[_suggestion(tenant).pk]),
        follow=True,
    )
    assert "此建议已处理" in again.content.decode()
    # Matching again suggests nothing: it is linked.
    assert services.building_suggestions_refresh(now=clock.now()) == (0, 0)


def test_a_rejected_suggestion_is_not_made_again(client, staff_user, tower, grid_a):
    neighbour = EnterpriseFactory(grid=grid_a, registered_address="四川北路1号")
    services.building_suggestions_refresh(now=clock.now())
    client.force_login(staff_user)
    client.post(reverse("registry:building_suggestion_reject", args=[_suggestion(neighbour).pk]))
    services.building_suggestions_refresh(now=clock.now())
    suggestion = _suggestion(neighbour)
    assert suggestion.status == "rejected" and suggestion.decided_by == staff_user
    page = client.get(reverse("registry:building", args=[tower.pk])).content.decode()
    assert 'data-testid="suggestion"' not in page
    neighbour.refresh_from_db()
    assert neighbour.building is None


def test_a_changed_address_takes_an_open_suggestion_back(staff_user, tower, grid_a):
    mover = EnterpriseFactory(grid=grid_a, registered_address="四川北路1号")
    services.building_suggestions_refresh(now=clock.now())
    Enterprise.objects.filter(pk=mover.pk).update(registered_address="四平路2号")
    assert services.building_suggestions_refresh(now=clock.now()) == (0, 1)


def test_two_buildings_cannot_share_an_address(client, staff_user, tower):
    client.force_login(staff_user)
    response = client.post(
        reverse("registry:building_new"), {"name": "重复", "address": "四川北路 1 号"}
    )
    assert response.status_code == 400
    assert "虹口一号楼" in response.content.decode()


def test_a_grid_worker_sees_their_buildings_and_their_enterprises_only(
    client, staff_user, worker_a, worker_b, tower, grid_a, grid_b
):
    ours = EnterpriseFactory(grid=grid_a, name="甲网格公司", building=tower)
    theirs = EnterpriseFactory(grid=grid_b, name="乙网格公司", building=tower)
    client.force_login(worker_a)
    page = client.get(reverse("registry:building", args=[tower.pk])).content.decode()
    assert ours.name in page and theirs.name not in page
    client.force_login(worker_b)
    # Grid B's worker sees the building because it houses one of their enterprises...
    page = client.get(reverse("registry:building", args=[tower.pk])).content.decode()
    assert theirs.name in page and ours.name not in page
    # ...and not one that houses none and lies in another grid.
    other = services.building_create(by=staff_user, name="别处", address="四平路9号", grid=grid_a)
    assert client.get(reverse("registry:building", args=[other.pk])).status_code == 404
    listing = client.get(reverse("registry:buildings")).content.decode()
    assert "别处" not in listing and tower.name in listing


def test_the_contact_phone_is_masked_and_its_show_is_logged_and_callable(
    client, staff_user, auditor, worker_b, tower
):
    contact = tower.contacts.get()
    url = reverse("registry:building_contact_reveal", args=[contact.pk])
    for user in (staff_user, auditor):
        client.force_login(user)
        page = client.get(reverse("registry:building", args=[tower.pk])).content.decode()
        assert "13611112222" not in page and "136****2222" in page
        assert (url in page) == (user == staff_user)
    client.force_login(staff_user)
    shown = client.post(url).content.decode()
    assert 'href="tel:13611112222"' in shown
    view = SensitiveView.objects.get()
    assert (view.user, view.fields, view.enterprise) == (
        staff_user,
        ["buildingcontact.phone"],
        None,
    )
    client.force_login(auditor)
    assert client.post(url).status_code == 403
    client.force_login(worker_b)  # the building is not theirs to see
    assert client.post(url).status_code == 404
    assert SensitiveView.objects.count() == 1


def test_the_enterprise_page_offers_its_building_to_staff_only(
    client, staff_user, worker_a, tower, grid_a
):
    tenant = EnterpriseFactory(grid=grid_a, registered_address="四川北路1号")
    services.building_suggestions_refresh(now=clock.now())
    url = reverse("registry:enterprise", args=[tenant.uscc])
    client.force_login(staff_user)
    assert f'data-testid="confirm-{_suggestion(tenant).pk}"' in client.get(url).content.decode()
    client.force_login(worker_a)
    assert 'data-testid="building-panel"' not in client.get(url).content.decode()


def test_the_api_reads_buildings_in_scope_with_phones_masked(
    client, worker_a, worker_b, tower, grid_a
):
    EnterpriseFactory(grid=grid_a, name="甲网格公司", building=tower)
    client.force_login(worker_a)
    listed = client.get(reverse("api:buildings")).json()
    assert [row["name"] for row in listed["results"]] == ["虹口一号楼"]
    detail = client.get(reverse("api:building", args=[tower.pk])).json()
    assert detail["contacts"][0]["phone"] == "136****2222"
    assert [row["name"] for row in detail["enterprises"]] == ["甲网格公司"]
    client.force_login(worker_b)
    assert client.get(reverse("api:building", args=[tower.pk])).status_code == 404
    assert client.get(reverse("api:buildings")).json()["results"] == []


def test_moving_out_unlinks_and_the_address_is_suggested_again(client, staff_user, tower, grid_a):
    tenant = EnterpriseFactory(grid=grid_a, registered_address="四川北路1号")
    services.building_suggestions_refresh(now=clock.now())
    services.building_link_confirm(suggestion=_suggestion(tenant), by=staff_user)
    client.force_login(staff_user)
    client.post(reverse("registry:enterprise_building_remove", args=[tenant.uscc]))
    tenant.refresh_from_db()
    assert tenant.building is None
    services.building_suggestions_refresh(now=clock.now())
    assert _suggestion(tenant).status == "open"


def test_the_nightly_task_suggests_what_changed_since(settings, staff_user, tower, grid_a):
    from registry.tasks import building_suggestions_refresh

    entry = settings.CELERY_BEAT_SCHEDULE["registry-building-suggestions"]
    assert entry["task"] == building_suggestions_refresh.name
    newcomer = EnterpriseFactory(grid=grid_a, registered_address="四川北路1号8楼")
    assert building_suggestions_refresh() == [1, 0]
    assert building_suggestions_refresh() == [0, 0]
    assert _suggestion(newcomer).building == tower


def test_saving_one_building_finds_its_tenants_however_the_digits_were_typed(staff_user, grid_a):
    wide = EnterpriseFactory(grid=grid_a, registered_address="上海市虹口区四川北路１号 ３０５室")
    EnterpriseFactory(grid=grid_a, registered_address="上海市虹口区四平路1号")
    building = services.building_create(by=staff_user, name="一号楼", address="四川北路1号")
    assert [s.enterprise for s in building.suggestions.all()] == [wide]
    services.building_update(building=building, by=staff_user, address="四平路1号")
    assert [s.enterprise.registered_address for s in building.suggestions.all()] == [
        "上海市虹口区四平路1号"
    ]


def test_one_buildings_save_leaves_its_neighbours_at_other_numbers_alone(staff_user, grid_a):
    EnterpriseFactory(grid=grid_a, registered_address="四川北路11号")
    EnterpriseFactory(grid=grid_a, registered_address="四川北路21号")
    spaced = EnterpriseFactory(grid=grid_a, registered_address="四川北路 1 号\u30005楼")
    building = services.building_create(by=staff_user, name="一号楼", address="四川北路1号")
    assert [s.enterprise for s in building.suggestions.all()] == [spaced]
