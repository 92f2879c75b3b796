"""The import writes its history events itself, set-based (registry.sql.history); they must be
exactly the events the pghistory triggers write for a staff edit, or timelines would differ."""

import io

import pytest
from django.db import connection
from pghistory.models import Events

from registry.models import EmergencyContact, Enterprise, Liaison
from registry.services import changes_by, enterprise_update
from registry.spreadsheet.importing import registry_import
from registry.sql import history
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db

CONTACT = ["紧急联系人", "紧急联系人关系", "紧急联系人电话"]
EVENT_TABLES = {
    Enterprise: "registry_enterpriseevent",
    Liaison: "registry_liaisonevent",
    EmergencyContact: "registry_emergencycontactevent",
}


def _import(rows, **options):
    data = xlsx_bytes(rows)
    return registry_import(source=io.BytesIO(data), filename="名册.xlsx", **options)


def _the_two_imports(admin_user):
    """New rows (inserts of all three tables), then changed names, a replaced liaison and a
    changed emergency contact (updates, and the ended liaison)."""
    headers = [*HEADERS, *CONTACT]
    _import(
        [headers, [*a_row(1), "王强", "配偶", "13600002222"], [*a_row(2), "", "", ""]],
        by=admin_user,
        import_run=7,
    )
    _import(
        [
            headers,
            [*a_row(1, 企业名称="改名了"), "王强", "配偶", "021-65551234"],
            [*a_row(2, 联络员姓名="李娜", 联络员手机="13700001111"), "", "", ""],
        ],
        by=admin_user,
        import_run=8,
    )


def _groups(table: str) -> list[tuple]:
    """Every event row but its own id and timestamp, with how often it occurs."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} LIMIT 0")
        columns = [c.name for c in cursor.description if c.name not in ("pgh_id", "pgh_created_at")]
        listed = ", ".join(columns)
        cursor.execute(f"SELECT {listed}, count(*) FROM {table} GROUP BY {listed}")
        return cursor.fetchall()


def test_the_imports_history_rows_are_identical_to_the_triggers(admin_user, grid_a, monkeypatch):
    # Point the import's switch at a setting the triggers do not read: then the triggers record
    # every row as they do for a staff edit AND the import records it set-based. Each event must
    # then occur exactly twice, identical in every column but its id and timestamp.
    monkeypatch.setattr(history, "SWITCH", "portal.switch_nobody_reads")
    _the_two_imports(admin_user)

    for table in EVENT_TABLES.values():
        groups = _groups(table)
        assert groups, table
        assert {row[-1] for row in groups} == {2}, table
    labels = {e.pgh_label for e in Events.objects.filter(pgh_model="registry.LiaisonEvent")}
    assert labels == {"insert", "update"}


def test_each_written_row_has_exactly_one_event_in_the_imports_context(admin_user, grid_a):
    _the_two_imports(admin_user)

    for table in EVENT_TABLES.values():
        assert {row[-1] for row in _groups(table)} == {1}, table
    enterprise = Enterprise.objects.get(name="改名了")
    timeline = Events.objects.filter(pgh_obj_id=enterprise.pk, pgh_model="registry.EnterpriseEvent")
    assert [(e.pgh_label, e.pgh_context["import_run"]) for e in timeline.order_by("pgh_id")] == [
        ("insert", 7),
        ("update", 8),
    ]
    assert {e.pgh_context["username"] for e in timeline} == {admin_user.username}
    # 2 enterprises + 3 liaisons (one replaced) + 1 contact inserted; 1 name, 1 liaison ended,
    # 1 contact updated.
    registry = Events.objects.exclude(pgh_model="registry.GridAreaEvent")  # grid_a's own
    assert registry.filter(pgh_label="insert").count() == 6
    assert registry.filter(pgh_label="update").count() == 3


def test_a_staff_edit_inside_the_import_transaction_is_still_recorded_by_its_trigger(
    admin_user, grid_a
):
    # The switch is on only for the import's own statements: anything else written in the
    # same transaction (here a staff edit right after) keeps its trigger.
    _import([HEADERS, a_row(1)], by=admin_user)
    enterprise = Enterprise.objects.get()
    with changes_by(by=admin_user, door="staff"):
        _import([HEADERS, a_row(2)], by=admin_user)
        enterprise_update(enterprise=enterprise, by=admin_user, name="员工改的名字")
    update = Events.objects.get(pgh_obj_id=enterprise.pk, pgh_label="update")
    assert update.pgh_data["name"] == "员工改的名字"
