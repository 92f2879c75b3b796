import pytest

from outreach.matters.models import Department, MatterCategory
from outreach.matters.services import matter_intake


@pytest.fixture
def tax(db):
    return MatterCategory.objects.get(name="税务", parent=None)


@pytest.fixture
def complaint(db):
    return MatterCategory.objects.get(name="投诉", parent=None)


@pytest.fixture
def tax_office(staff_user, worker_a, admin_user):
    department = Department.objects.create(name="税务服务科", lead=admin_user)
    department.members.add(staff_user, worker_a)
    return department


@pytest.fixture
def intake(enterprise_a, staff_user, tax):
    """A matter from enterprise A's liaison by phone, taken in by staff."""

    def make(**kwargs):
        values = {
            "channel": "phone",
            "category": tax,
            "description": "咨询研发费用加计扣除的申报流程",
            "by": staff_user,
            "enterprise": enterprise_a,
            "liaison": enterprise_a.current_liaison,
            **kwargs,
        }
        return matter_intake(**values)

    return make
