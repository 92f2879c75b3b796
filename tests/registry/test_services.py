import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import ServiceError, StaleEdit
from registry import services
from registry.models import Door, EmergencyContact, Enterprise, Liaison
from registry.selectors import enterprise_history
from tests.factories import LiaisonFactory, valid_id_number, valid_mobile, valid_uscc

pytestmark = pytest.mark.django_db


def _create(by, **overrides):
    fields = {
        "uscc": valid_uscc(),
        "name": "上海联络科技有限公司",
        "registered_address": "上海市浦东新区张江路1号",
        "liaison": {"name": "王芳", "mobile": "13812345678", "position": "行政专员"},
        "emergency_contact": {"name": "王强", "relation": "法定代表人配偶", "phone": "13900001111"},
    }
    fields.update(overrides)
    return services.enterprise_create(by=by, door=Door.STAFF, **fields)


def test_it_creates_an_enterprise_with_its_liaison_and_emergency_contact(staff_user):
    enterprise = _create(staff_user)

    assert enterprise.current_liaison.name == "王芳"
    assert enterprise.emergency_contact.phone == "13900001111"
    assert enterprise.tier == Enterprise.Tier.GENERAL


def test_it_normalises_what_people_type(staff_user):
    code = valid_uscc()
    enterprise = _create(
        staff_user,
        uscc=" " + code.lower() + "\u3000",
        name="\u00a0上海　联络科技有限公司 ",
        registered_phone="(021)65551234",
        liaison={"name": " 王芳 ", "mobile": "+86 １３８-1234-5678"},
    )

    enterprise.refresh_from_db()
    assert enterprise.uscc == code
    assert enterprise.name == "上海 联络科技有限公司"
    assert enterprise.registered_phone == "021-65551234"
    assert enterprise.current_liaison.mobile == "13812345678"


def test_it_refuses_a_wrong_credit_code_naming_the_field(staff_user):
    with pytest.raises(ValidationError) as caught:
        _create(staff_user, uscc="91310115MA1FL8XQ3X")

    assert "uscc" in caught.value.message_dict
    assert not Enterprise.objects.exists()


def test_a_bad_liaison_mobile_writes_nothing_at_all(staff_user):
    with pytest.raises(ValidationError) as caught:
        _create(staff_user, liaison={"name": "王芳", "mobile": "12345"})

    assert "mobile" in caught.value.message_dict
    assert not Enterprise.objects.exists()
    assert not Liaison.objects.exists()


def test_it_refuses_the_same_credit_code_twice(staff_user):
    code = valid_uscc()
    _create(staff_user, uscc=code)
    with pytest.raises(ValidationError) as caught:
        _create(staff_user, uscc=code)
    assert "uscc" in caught.value.message_dict


def test_replacing_the_liaison_ends_the_old_period_and_starts_a_new_one(staff_user):
    enterprise = _create(
        staff_user,
        liaison={"name": "王芳", "mobile": "13812345678", "started_on": datetime.date(2025, 3, 1)},
    )
    old = enterprise.current_liaison

    new = services.liaison_replace(
        enterprise=enterprise,
        by=staff_user,
        name="李娜",
        mobile="13700001234",
        started_on=datetime.date(2026, 11, 20),
    )

    old.refresh_from_db()
    assert old.ended_on == datetime.date(2026, 11, 20)
    assert old.name == "王芳"  # the past liaison is kept as they were
    assert new.is_current and new.name == "李娜"
    assert list(enterprise.liaisons.filter(ended_on__isnull=True)) == [new]


def test_the_database_refuses_a_second_current_liaison(enterprise_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Liaison.objects.create(
            enterprise=enterprise_a,
            name="第二人",
            mobile=valid_mobile(),
            started_on=datetime.date(2026, 1, 1),
        )


def test_a_failed_replacement_keeps_the_current_liaison(staff_user, enterprise_a):
    current = enterprise_a.current_liaison
    with pytest.raises(ValidationError):
        services.liaison_replace(enterprise=enterprise_a, by=staff_user, name="李娜", mobile="x")

    current.refresh_from_db()
    assert current.ended_on is None


def test_updating_the_same_liaison_changes_details_without_a_new_period(staff_user, enterprise_a):
    liaison = enterprise_a.current_liaison

    changed = services.liaison_update(
        liaison=liaison,
        by=staff_user,
        landline="021 6555 1234",
        id_number=valid_id_number(7).lower(),
    )

    assert sorted(changed) == ["id_number", "landline"]
    assert liaison.landline == "021-65551234"
    assert enterprise_a.liaisons.count() == 1


def test_a_past_liaison_cannot_be_edited(staff_user, enterprise_a):
    old = enterprise_a.current_liaison
    services.liaison_replace(
        enterprise=enterprise_a, by=staff_user, name="李娜", mobile=valid_mobile()
    )
    old.refresh_from_db()
    with pytest.raises(ServiceError):
        services.liaison_update(liaison=old, by=staff_user, name="改名")


def test_a_save_over_someone_elses_newer_save_is_refused(staff_user, worker_a, enterprise_a):
    loaded_version = enterprise_a.version
    services.enterprise_update(
        enterprise=enterprise_a,
        by=worker_a,
        expected_version=loaded_version,
        industry="制造业",
    )

    with pytest.raises(StaleEdit) as caught:
        services.enterprise_update(
            enterprise=enterprise_a,
            by=staff_user,
            expected_version=loaded_version,
            industry="批发和零售业",
        )

    assert caught.value.current == {"industry": "制造业"}
    enterprise_a.refresh_from_db()
    assert enterprise_a.industry == "制造业"


def test_an_unchanged_save_writes_no_history(staff_user, enterprise_a):
    before = len(enterprise_history(enterprise=enterprise_a))

    changed = services.enterprise_update(
        enterprise=enterprise_a, by=staff_user, name=f" {enterprise_a.name}\u00a0"
    )

    assert changed == []
    assert len(enterprise_history(enterprise=enterprise_a)) == before


def test_emergency_contact_is_created_then_updated(staff_user, enterprise_a):
    services.emergency_contact_set(
        enterprise=enterprise_a, by=staff_user, name="赵六", phone="13700000000"
    )
    services.emergency_contact_set(enterprise=enterprise_a, by=staff_user, phone="021-65551234")

    contact = EmergencyContact.objects.get(enterprise=enterprise_a)
    assert (contact.name, contact.phone) == ("赵六", "021-65551234")


def test_history_reads_back_in_time_order_with_who_and_which_door(staff_user, worker_a):
    enterprise = _create(staff_user)
    services.enterprise_update(enterprise=enterprise, by=worker_a, industry="制造业")
    services.liaison_replace(
        enterprise=enterprise, by=None, door=Door.SELF_SERVICE, name="李娜", mobile=valid_mobile()
    )

    history = enterprise_history(enterprise=enterprise)

    steps = [(e.record, e.action, e.door, e.username) for e in history]
    assert steps[:3] == [
        ("enterprise", "insert", "staff", "sam_staff"),
        ("liaison", "insert", "staff", "sam_staff"),
        ("emergencycontact", "insert", "staff", "sam_staff"),
    ]
    assert ("enterprise", "update", "staff", "wang_grid_a") in steps
    assert steps[-2:] == [
        ("liaison", "update", "self_service", None),
        ("liaison", "insert", "self_service", None),
    ]
    industry_change = next(e for e in history if e.record == "enterprise" and e.action == "update")
    assert industry_change.changes == {"industry": ["", "制造业"]}
    assert [e.at for e in history] == sorted(e.at for e in history)


def test_bulk_writes_are_kept_in_the_history_too(enterprise_a):
    with services.changes_by(by=None, door=Door.IMPORT, import_id=42):
        Liaison.objects.filter(enterprise=enterprise_a).update(position="行政经理")

    last = enterprise_history(enterprise=enterprise_a)[-1]
    assert (last.record, last.door, last.changes) == (
        "liaison",
        "import",
        {"position": ["", "行政经理"]},
    )
    assert last.context["import_id"] == 42


def test_deleting_an_enterprise_is_kept_in_the_history(admin_user, enterprise_a):
    pk = enterprise_a.pk
    services.enterprise_delete(enterprise=enterprise_a, by=admin_user)

    from pghistory.models import Events

    labels = set(
        Events.objects.filter(pgh_obj_model="registry.Enterprise", pgh_obj_id=str(pk)).values_list(
            "pgh_label", flat=True
        )
    )
    assert "delete" in labels


def test_liaison_factory_makes_valid_rows():
    # The tests' liaisons are ones the portal itself would accept (full_clean's validators).
    refused = {}
    for liaison in LiaisonFactory.create_batch(10):
        try:
            liaison.full_clean()
        except ValidationError as error:
            refused[liaison.mobile] = error.message_dict
    assert refused == {}
