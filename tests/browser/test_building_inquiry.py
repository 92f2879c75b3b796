"""Step 2 of the emergency procedure (外围突破) on a grid worker's phone: the enterprise's
building offers its property manager, masked; one tap shows the number as a link to call
(logged), the next records what they said."""

from playwright.sync_api import expect

from monitoring.models import EmergencyProcedure, Evidence
from monitoring.services import evidence_add, procedure_advance, procedure_start
from outreach.services import contact_attempt_record
from registry import clock
from registry.buildings import services as buildings
from registry.models import SensitiveView


def test_a_grid_worker_asks_the_property_manager_from_a_phone(
    phone_page, login, staff_user, worker_a, enterprise_a, grid_a, shot
):
    tower = buildings.building_create(
        by=staff_user, name="虹口一号楼", address="四川北路1号", grid=grid_a
    )
    contact = buildings.building_contact_save(
        building=tower,
        by=staff_user,
        role="property_manager",
        name="陈经理",
        organisation="虹口物业",
        phone="13611112222",
    )
    enterprise_a.building = tower
    enterprise_a.save(update_fields=["building"])
    for _ in range(3):
        contact_attempt_record(
            enterprise=enterprise_a, channel="phone", outcome="no_answer", by=staff_user
        )
    procedure = procedure_start(enterprise=enterprise_a, by=staff_user)
    evidence_add(
        procedure=procedure,
        kind=Evidence.Kind.EMS_LETTER,
        occurred_on=clock.today(),
        tracking_number="EA123456789CN",
        by=staff_user,
    )
    procedure_advance(procedure=procedure, by=staff_user)

    page = login(phone_page, worker_a.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    ask = page.get_by_test_id("whom-to-ask")
    expect(ask).to_contain_text("陈经理")
    expect(ask).to_contain_text("136****2222")
    shot(page, "procedure-step-2-phone")

    ask.get_by_test_id(f"call-{contact.pk}").click()
    call = ask.get_by_test_id("tel")
    expect(call).to_have_attribute("href", "tel:13611112222")
    assert (
        SensitiveView.objects.filter(user=worker_a, fields=["buildingcontact.phone"]).count() == 1
    )

    ask.get_by_test_id(f"asked-{contact.pk}").click()
    page.locator("#id_summary").fill("上月已搬走，办公室清空")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("step-2")).to_contain_text("上月已搬走")
    expect(page.get_by_test_id("step-2")).to_contain_text("陈经理")
    evidence = EmergencyProcedure.objects.get(pk=procedure.pk).evidence.get(step=2)
    assert evidence.building_contact == contact and evidence.kind == "property"
    shot(page, "procedure-step-2-recorded")
