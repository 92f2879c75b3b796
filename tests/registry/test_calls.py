"""registry.calls: a number becomes a tel: link only where it is seen whole."""

import pytest

from registry import calls
from registry.address_key import street_name
from tests.factories import LiaisonFactory


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("13912345678", "tel:13912345678"),
        ("021-65551234", "tel:02165551234"),
        ("021-65551234-801", "tel:02165551234,801"),
        ("400-820-8820", "tel:4008208820"),
        ("", ""),
    ],
)
def test_tel_href_dials_the_number_as_stored(number, href):
    assert calls.tel_href(number) == href


def test_only_phone_fields_are_phones():
    assert calls.is_phone("liaison", "mobile")
    assert calls.is_phone("enterprise", "annual_report_phone")
    assert not calls.is_phone("liaison", "id_number")
    assert not calls.is_phone("liaison", "name")


def test_a_masked_number_is_never_a_tel_link_but_a_service_line_is():
    assert calls.unmasked_tel("liaison", "mobile", "13912345678") == ""
    assert calls.unmasked_tel("enterprise", "registered_phone", "021-65551234") == ""
    assert calls.unmasked_tel("enterprise", "registered_phone", "400-820-8820") == "tel:4008208820"


@pytest.mark.django_db
def test_a_revealed_mobile_is_a_tel_link_offering_the_calls_outcome(enterprise_a):
    liaison = enterprise_a.current_liaison
    html = calls.revealed_html(liaison, "mobile", liaison.mobile)
    assert 'href="tel:13912345678"' in html
    assert f"/enterprises/{enterprise_a.uscc}/call/?liaison={liaison.pk}" in html


@pytest.mark.django_db
def test_a_revealed_id_number_is_text(enterprise_a):
    liaison = LiaisonFactory.build(id_number="110101199003077777")
    html = calls.revealed_html(liaison, "id_number", liaison.id_number)
    assert "tel:" not in html and "110101199003077777" in html


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("上海市虹口区四川北路1000号5楼", "四川北路"),
        ("四川北路 88 号", "四川北路"),
        ("中国上海市浦东新区世纪大道100号", "世纪大道"),
        ("某某园区3号楼", ""),
    ],
)
def test_street_name_reads_the_street_of_an_address(address, street):
    assert street_name(address) == street
