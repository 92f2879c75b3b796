"""API clients for the named personas of tests/conftest.py, authenticated by token."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EmergencyContactFactory, UserFactory, valid_id_number

PASSWORD = "pw-for-tests-2026"


def token_client(user=None, **headers) -> APIClient:
    client = APIClient(**headers)
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """api(user) -> a client sending that user's token; api() -> anonymous."""
    return token_client


@pytest.fixture
def nobody(db):
    """Logged in, but holding no role: sees nothing, may do nothing."""
    return UserFactory(username="no_role")


@pytest.fixture
def full_enterprise(enterprise_a):
    """Enterprise A with every protected value filled in and an emergency contact."""
    enterprise_a.registered_phone = "021-65551234"
    enterprise_a.annual_report_phone = "13800001111"
    enterprise_a.legal_representative_backup_phone = "13700002222"
    enterprise_a.beneficial_owner = "赵大富"
    enterprise_a.tax_residency = "中国居民企业"
    enterprise_a.save()
    liaison = enterprise_a.current_liaison
    liaison.id_number = valid_id_number(7)
    liaison.landline = "021-65559876"
    liaison.save()
    EmergencyContactFactory(enterprise=enterprise_a, name="王强", phone="13600003333")
    enterprise_a.refresh_from_db()
    return enterprise_a


# Every full value of full_enterprise: none may appear in a normal response.
def full_values(enterprise) -> list[str]:
    liaison = enterprise.current_liaison
    return [
        enterprise.registered_phone,
        enterprise.annual_report_phone,
        enterprise.legal_representative_backup_phone,
        enterprise.beneficial_owner,
        enterprise.tax_residency,
        liaison.mobile,
        liaison.landline,
        liaison.id_number,
        enterprise.emergency_contact.phone,
        # Unseparated forms too, in case something formats them differently.
        enterprise.registered_phone.replace("-", ""),
        liaison.landline.replace("-", ""),
    ]
