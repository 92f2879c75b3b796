"""The demo park's buildings (a step of registry.demo.seed_demo): three office buildings of
the park with their landlords and property managers, some enterprises moved into them by
address — most links confirmed, a few left as suggestions to confirm or reject.

Its own random draws (a fixed seed), so that the park's other steps draw as they did before
this one existed: the same seed, the same park."""

import random

from registry import clock
from registry.address_key import address_key
from registry.buildings import services
from registry.demo import GRID_STREETS
from registry.models import Building, Door, Enterprise
from registry.services import changes_by

BUILDINGS = [
    # name, address, property company, landlord
    ("瑞虹企业天地1号楼", "上海市虹口区临平路123号1号楼", "瑞虹物业管理有限公司", "瑞虹置业"),
    ("白玉兰广场", "上海市虹口区东大名路501号", "白玉兰物业服务有限公司", "白玉兰置业"),
    ("虹口创意园", "上海市虹口区曲阳路100弄5号", "", "张建国"),
]
CONTACTS = [
    # role, name, organisation
    ("property_manager", "陈静", 0),
    ("front_desk", "刘保安", 0),
    ("landlord", "赵丽华", 1),
]
TENANTS_PER_BUILDING = 4
LEFT_TO_CONFIRM = 1


def _mobile(rng: random.Random) -> str:
    return rng.choice(["139", "138", "137", "136", "186"]) + f"{rng.randrange(10**8):08d}"


def seed_buildings_demo(*, rng, users) -> None:
    own = random.Random(2026_19)
    staff = users.get("staff")
    for name, address, company, landlord in BUILDINGS:
        if Building.objects.filter(address_key=address_key(address)).exists():
            continue  # a second seeding keeps the buildings of the first
        building = services.building_create(
            by=None,
            door=Door.SYSTEM,
            name=name,
            address=address,
            property_company=company,
            landlord=landlord,
        )
        for role, person, of in CONTACTS:
            services.building_contact_save(
                building=building,
                by=None,
                door=Door.SYSTEM,
                role=role,
                name=person,
                organisation=(company, landlord)[of] if (company, landlord)[of] else "",
                phone=_mobile(own),
            )
        # Tenants from the grid area whose streets the building stands on.
        grids = [
            code for code, streets in GRID_STREETS.items() if any(s in address for s in streets)
        ]
        operating = list(
            Enterprise.objects.filter(
                status=Enterprise.Status.OPERATING, building__isnull=True, grid__code__in=grids
            )
            .exclude(registered_address__startswith=address)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        own.shuffle(operating)
        tenants = operating[:TENANTS_PER_BUILDING]
        with changes_by(by=None, door=Door.SYSTEM, source="seed_demo"):
            for floor, pk in enumerate(tenants, start=2):
                Enterprise.objects.filter(pk=pk).update(
                    registered_address=f"{address}{floor}层{floor}0{own.randint(1, 9)}室"
                )
        services.building_suggestions_refresh(now=clock.now(), building=building)
        suggestions = list(building.suggestions.order_by("enterprise_id"))
        for suggestion in suggestions[LEFT_TO_CONFIRM:]:
            services.building_link_confirm(suggestion=suggestion, by=staff)
