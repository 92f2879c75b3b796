"""The tier (domain.md, 分级定期触达) is one stored column the database computes: key when a key
taxpayer, in a pre-approval industry or marked by an admin, else general — whichever way the
row was written."""

import pytest
from django.db import connection

from registry.models import Enterprise
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("flags", "tier"),
    [
        ({}, "general"),
        ({"key_taxpayer": True}, "key"),
        ({"pre_approval": True}, "key"),
        ({"marked_key": True}, "key"),
        ({"key_taxpayer": True, "pre_approval": True, "marked_key": True}, "key"),
    ],
)
def test_the_tier_follows_the_three_flags(flags, tier):
    enterprise = EnterpriseFactory(**flags)
    assert enterprise.tier == tier
    assert Enterprise.objects.get(tier=tier) == enterprise


def test_a_row_written_by_sql_gets_its_tier_from_the_database():
    enterprise = EnterpriseFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Enterprise._meta.db_table} SET pre_approval = true WHERE id = %s",
            [enterprise.pk],
        )
    enterprise.refresh_from_db()
    assert enterprise.tier == Enterprise.Tier.KEY
