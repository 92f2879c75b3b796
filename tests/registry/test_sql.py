"""The registry's raw SQL (registry/sql/) against its reference versions on a small park:
the search, when a change was made, whom the retention run chooses; and the names it is
written with come from the models."""

import datetime

import pytest
from django.apps import apps
from django.db import connection, transaction

from registry import clock, services
from registry.models import Door, EmergencyContact, Enterprise, GridArea, Liaison
from registry.pinyin import search_key
from registry.retention import RetentionScope, years_back
from registry.selectors import whole_number
from registry.sql import Table
from registry.sql.history import changed_at, changed_at_sql
from registry.sql.retention import choose, chosen, chosen_reference
from registry.sql.search import enterprise_search_q, enterprise_search_reference
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.registry.test_retention import _at, park  # noqa: F401  (the retention park)

pytestmark = pytest.mark.django_db


def test_names_come_from_the_models_meta():
    e = Table(Enterprise, "e")
    assert f"SELECT {e.id} FROM {e} WHERE {e.grid} = %s" == (
        'SELECT e."id" FROM "registry_enterprise" AS e WHERE e."grid_id" = %s'
    )
    assert f"{Table(Liaison):enterprise,ended_on}" == '"enterprise_id", "ended_on"'
    assert Table(Liaison, "l").db_table == '"registry_liaison"'
    with pytest.raises(Exception, match="no field named 'nonsense'"):
        _ = e.nonsense


@pytest.fixture
def small_park(grid_a, grid_b, worker_a):
    """Names, codes and numbers to find, in two grids, with past and current liaisons."""
    first = EnterpriseFactory(
        grid=grid_a, name="上海华信科技有限公司", registered_phone="021-55551234"
    )
    LiaisonFactory(enterprise=first, name="张伟", mobile="13912345678")
    second = EnterpriseFactory(grid=grid_b, name="杭州华信贸易有限公司")
    LiaisonFactory(
        enterprise=second, name="李华", mobile="13800001234", ended_on=datetime.date(2025, 6, 1)
    )
    LiaisonFactory(enterprise=second, name="王芳", mobile="13700005555")
    EnterpriseFactory(grid=None, name="无网格实业有限公司", uscc="91310000MA1K4XY83J")
    return worker_a


@pytest.mark.parametrize(
    "q",
    [
        "华信",
        "华",
        "张伟",
        "李华",
        "5555",
        "1234",
        "MA1K",
        "无网格",
        "13800001234",
        "x",
        "huaxin",
        "hx",
        "hua信",
        "shanghaihuaxn",
        "华心",
    ],
)
@pytest.mark.parametrize("partial", [True, False])
@pytest.mark.parametrize("scoped", [True, False])
def test_the_search_finds_what_its_orm_reference_finds(small_park, q, partial, scoped):
    digits = q if partial and q.isdigit() and len(q) >= 3 else ""
    whole = None if partial or not q.isdigit() else whole_number(q)
    arguments = {
        "digits": digits,
        "whole_number": whole,
        "worker_id": small_park.pk if scoped else None,
        "pinyin_key": "" if q.isdigit() else search_key(q),
    }
    found = set(Enterprise.objects.filter(enterprise_search_q(q.upper(), **arguments)))
    expected = set(Enterprise.objects.filter(enterprise_search_reference(q.upper(), **arguments)))
    assert found == expected
    if q in ("华信", "huaxin", "hx", "shanghaihuaxn", "华心"):  # the park has something to find
        assert found


def test_when_a_change_was_made_reads_the_one_clock_like_its_python_twin(staff_user, grid_a):
    moment = datetime.datetime(2025, 3, 3, 9, 30, tzinfo=datetime.UTC)
    with _at(moment.date()):
        enterprise = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="甲公司",
            registered_address="一路1号",
            grid=grid_a,
        )
    # A write outside changes_by (no context): the row stamp.
    Enterprise.objects.filter(pk=enterprise.pk).update(industry="软件")
    events = apps.get_model("registry", "EnterpriseEvent")
    ev = Table(events, "ev")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {ev.pgh_id}, {changed_at_sql(ev)} FROM {ev}")
        in_sql = dict(cursor.fetchall())
    in_python = {e.pgh_id: changed_at(e) for e in events.objects.select_related("pgh_context")}
    assert in_sql == in_python
    assert len(in_sql) == 2  # the insert (its context's time), the update (its row stamp)


def test_the_retention_run_chooses_whom_its_reference_chooses(park, staff_user, grid_a):  # noqa: F811
    long_ago = years_back(clock.today(), 3) - datetime.timedelta(days=60)
    with _at(long_ago):
        replaced = services.enterprise_create(
            by=staff_user,
            uscc=EnterpriseFactory.build().uscc,
            name="换人公司",
            registered_address="四路4号",
            grid=grid_a,
            liaison={"name": "赵六", "mobile": "13911110000"},
            emergency_contact={"name": "钱七", "phone": "13822220000"},
        )
        services.emergency_contact_set(
            enterprise=replaced, by=staff_user, name="孙八", phone="13833330000"
        )
        gone = LiaisonFactory(enterprise=replaced, ended_on=long_ago, started_on=long_ago)
        with services.changes_by(by=staff_user, door=Door.STAFF):
            gone.delete()
    today = clock.today()
    scope = RetentionScope(now=clock.now(), liaison_cutoff=years_back(today, 3))

    with transaction.atomic(), connection.cursor() as cursor:
        choose(cursor, scope)
        found = chosen(cursor)
        transaction.set_rollback(True)

    assert found == chosen_reference(scope)
    assert all(found.values()), found  # the park gave each table someone
    assert EmergencyContact.objects.filter(pk__in=found["contacts"]).exists()
    assert GridArea.objects.exists() and Liaison.objects.filter(pk__in=found["liaisons"]).exists()
