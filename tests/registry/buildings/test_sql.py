"""The suggestions' SQL (registry/sql/buildings.py) against its Python twins: the building
key of an address, and which enterprises are suggested for which building."""

import pytest
from django.db import connection, transaction

from registry import clock
from registry.address_key import address_key
from registry.buildings import services
from registry.models import BuildingSuggestion
from registry.sql.buildings import address_keys, suggestions_reference, suggestions_refresh
from tests.factories import EnterpriseFactory
from tests.registry.buildings.test_address_key import SAME_BUILDING

pytestmark = pytest.mark.django_db

ADDRESSES = [
    *(address for pair in SAME_BUILDING for address in pair),
    "",
    "   ",
    "IFC国金中心",
    "上海市浦东新区世纪大道100号环球金融中心15F",
    "北京市朝阳区建国路88号SOHO现代城A座1201",
    "广东省深圳市南山区科技园1栋501",
    "江苏省苏州市工业园区星湖街328号创意产业园2-B幢",
    "上海市虹口区东江湾路444号北区(集中登记地)",
    "虹口区四平路188号-1",
    "上海市虹口区飞虹路360弄9号3层3123室",
    "上海市虹口区曲阳路１００号３号楼",
    "上海市虹口区中山北一路1230号柏树大厦B座5层",
    "上海市嘉定区XX镇XX路1号第3层",
    "上海市虹口区\u3000四川北路\u00a01号",
    "内蒙古自治区呼和浩特市新城区XX路5号",
    "市场路5号",
]


def test_sql_gives_every_address_the_key_python_gives():
    with connection.cursor() as cursor:
        from_sql = address_keys(cursor, ADDRESSES)
    assert from_sql == [address_key(address) for address in ADDRESSES]


def test_the_suggestions_are_those_of_the_reference(admin_user, grid_a):
    one = services.building_create(by=admin_user, name="一号楼", address="四川北路1号")
    site = services.building_create(by=admin_user, name="曲阳3栋", address="曲阳路100号3号楼")
    EnterpriseFactory(registered_address="上海市虹口区四川北路1号305室")
    EnterpriseFactory(registered_address="外地某路9号", operating_address="四川北路１号12层")
    both = EnterpriseFactory(
        registered_address="曲阳路100号3幢5层", operating_address="四川北路1号5层"
    )
    EnterpriseFactory(registered_address="曲阳路100号4幢")  # another building of the site
    linked = EnterpriseFactory(registered_address="四川北路1号2楼", building=one)
    EnterpriseFactory(registered_address="四川北路1号3楼", status="deregistered")
    services.building_suggestions_refresh(now=clock.now())
    rows = {
        (s.building_id, s.enterprise_id, s.matched_on) for s in BuildingSuggestion.objects.all()
    }
    assert rows == suggestions_reference()
    assert (site.pk, both.pk, "registered") in rows and (one.pk, both.pk, "operating") in rows
    assert not any(enterprise == linked.pk for _b, enterprise, _m in rows)
    assert len(rows) == 4


def test_one_building_saved_finds_its_addresses_through_the_trigram_indexes(admin_user, grid_a):
    """The LIKE of one building's refresh is written on the indexes' own expression
    (registry.models.address_as_typed): a plan that reads the enterprises in full instead
    takes about a second at 100,000 enterprises (tests/bench/test_bench_buildings.py)."""
    building = services.building_create(by=admin_user, name="一号楼", address="四川北路1号")
    EnterpriseFactory(registered_address="上海市虹口区四川北路1号305室")
    EnterpriseFactory(registered_address="外地某路9号", operating_address="四川北路１号12层")
    statements = []

    class Explaining:
        def __init__(self, cursor):
            self.cursor = cursor

        def execute(self, sql, params):
            self.cursor.execute("SET LOCAL enable_seqscan = off")  # a small table, read anyway
            self.cursor.execute(f"EXPLAIN {sql}", params)
            statements.append("\n".join(line for (line,) in self.cursor.fetchall()))
            self.cursor.execute(sql, params)

        def fetchone(self):
            return self.cursor.fetchone()

    with transaction.atomic(), connection.cursor() as cursor:
        added = suggestions_refresh(Explaining(cursor), now=clock.now(), building_id=building.pk)
    assert added == (2, 0)  # the registered address of one, the operating of the other
    assert BuildingSuggestion.objects.filter(building=building).count() == 2
    (plan,) = statements
    assert "enterprise_reg_addr_trgm" in plan and "enterprise_op_addr_trgm" in plan
