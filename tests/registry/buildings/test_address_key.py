"""The building key of an address (registry/address_key.py): one building, one key."""

import pytest

from registry.address_key import address_key

SAME_BUILDING = [
    # (as the building is entered, as an enterprise wrote it)
    ("四川北路1号", "上海市虹口区四川北路1号3楼305室"),
    ("四川北路1号", "上海市虹口区四川北路１号３０５室"),  # full-width digits
    ("四川北路1号", "上海市 虹口区 四川北路 1 号 12层"),  # spaces
    ("四川北路1号", "中国上海市虹口区四川北路1号(名义楼层5层)"),  # a bracketed remark
    ("四川北路1号", "虹口区四川北路1号（实际楼层4层）501室"),  # full-width brackets
    ("曲阳路100号3栋", "上海市虹口区曲阳路100号3号楼5层501室"),  # 号楼 is 栋
    ("曲阳路100号3栋", "上海市曲阳路100号3幢501室"),  # 幢 is 栋
    ("曲阳路100号B座", "曲阳路100号b座1201"),  # 座, lower case
    ("东大名路100弄5号", "上海市虹口区东大名路100弄5号2楼"),  # lane, then number
    ("瑞虹天地大厦", "上海市虹口区瑞虹天地大厦12层1201室"),  # no street number: floor dropped
    ("瑞虹天地大厦A座", "上海市虹口区瑞虹天地大厦A幢F5"),
    ("创意园5号楼", "虹口区创意园5幢第3层"),
]


@pytest.mark.parametrize(("building", "enterprise"), SAME_BUILDING)
def test_two_writings_of_one_building_give_one_key(building, enterprise):
    assert address_key(building) == address_key(enterprise)
    assert address_key(building)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("四川北路1号", "四川北路11号"),  # another street number
        ("曲阳路100号3栋", "曲阳路100号4栋"),  # another building of the site
        ("曲阳路100号", "曲阳路100号3栋"),  # the site is not one of its buildings
        ("四川北路1号", "四平路1号"),  # another street
    ],
)
def test_different_buildings_give_different_keys(one, other):
    assert address_key(one) != address_key(other)


def test_the_key_reads_as_the_building():
    assert address_key("上海市虹口区曲阳路100号3号楼5层501室") == "曲阳路100号3栋"
    assert address_key("IFC国金中心") == "IFC国金中心"  # an F in a name is no floor


def test_an_empty_address_has_an_empty_key():
    assert address_key("") == ""
    assert address_key(None) == ""
    assert address_key("   ") == ""
