"""The import reads, plans and stages a file in batches (bounded memory at 100,000 rows) and
writes it in one transaction: the batch size must change nothing a user can see. Here a batch
is two rows, so every rule meets a batch boundary."""

import io

import pytest

from registry.models import EmergencyContact, Enterprise, GridArea, Liaison
from registry.spreadsheet import planning, summary
from registry.spreadsheet.importing import registry_import
from registry.sql import importing as sql
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_uscc
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db
CONTACT = ["紧急联系人", "紧急联系人关系", "紧急联系人电话"]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(planning, "BATCH", 2)


def _import(rows, **options):
    return registry_import(source=io.BytesIO(xlsx_bytes(rows)), filename="名册.xlsx", **options)


def _shown(result) -> dict:
    """What the preview and the run's page show of a summary."""
    shown = result.as_dict()
    for key in ("written", "affected"):
        shown.pop(key)
    return shown


def test_a_credit_code_given_again_batches_later_makes_both_rows_invalid(grid_a):
    rows = [HEADERS, a_row(1), a_row(2), a_row(3), a_row(4), a_row(1, 企业名称="又一家")]
    result = _import(rows, skip_invalid=True)

    assert (result.created, result.invalid) == (3, 2)
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (2, "与第 6 行重复：每个统一社会信用代码只能出现一次。"),
        (6, "与第 2 行重复：每个统一社会信用代码只能出现一次。"),
    ]
    assert not Enterprise.objects.filter(uscc=valid_uscc(1)).exists()
    assert Enterprise.objects.count() == 3


def test_the_preview_and_the_import_agree_over_many_batches(grid_a):
    kept = EnterpriseFactory(grid=grid_a, uscc=valid_uscc(1), name="测试企业1有限公司")
    LiaisonFactory(enterprise=kept, name="联络员1", mobile="13900000001")
    renamed = EnterpriseFactory(grid=grid_a, uscc=valid_uscc(2), name="旧名称有限公司")
    LiaisonFactory(enterprise=renamed, name="联络员2", mobile="13900000002")
    rows = [
        HEADERS,
        a_row(1, 注册地址=kept.registered_address),
        a_row(2, 注册地址=renamed.registered_address),
        a_row(3),
        a_row(4, 联络员手机="12345"),
        a_row(5, 所属网格="新网格"),
        a_row(6),
        a_row(7),
    ]
    preview = _import(rows, dry_run=True, skip_invalid=True)
    result = _import(rows, skip_invalid=True)

    assert _shown(preview) == _shown(result)
    assert (result.created, result.updated, result.unchanged, result.invalid) == (4, 1, 1, 1)
    assert result.new_grids == ["新网格"] and result.new_grid_rows == {"created": 1, "updated": 0}
    assert result.changes[0]["changes"][0]["new"] == "测试企业2有限公司"
    assert result.affected == [valid_uscc(n) for n in (2, 3, 5, 6, 7)]
    assert Enterprise.objects.get(uscc=valid_uscc(5)).grid == GridArea.objects.get(name="新网格")
    assert Liaison.objects.filter(ended_on=None).count() == 6


def test_liaisons_replaced_and_contacts_changed_in_every_batch(grid_a):
    headers = [*HEADERS, *CONTACT]
    _import([headers, *([*a_row(n), "王强", "配偶", "13600002222"] for n in range(1, 6))])
    rows = [headers, *([*a_row(n, 联络员手机=f"138{n:08d}"), "王强", "配偶", "021-65551234"]
                       for n in range(1, 6))]  # fmt: skip
    result = _import(rows)

    assert result.updated == 5
    assert Liaison.objects.count() == 10
    assert set(Liaison.objects.filter(ended_on=None).values_list("mobile", flat=True)) == {
        f"138{n:08d}" for n in range(1, 6)
    }
    assert set(EmergencyContact.objects.values_list("phone", flat=True)) == {"021-65551234"}


def test_a_failure_while_writing_leaves_the_registry_as_it_was(grid_a, monkeypatch):
    _import([HEADERS, a_row(1)])

    run = sql.Write.run

    def broken(write, cursor, *, context):
        if write.model is Liaison and write.label == "insert":
            raise RuntimeError("the database went away")
        run(write, cursor, context=context)

    monkeypatch.setattr(sql.Write, "run", broken)
    with pytest.raises(RuntimeError):
        _import([HEADERS, a_row(1, 企业名称="改了名"), a_row(2), a_row(3)])

    assert list(Enterprise.objects.values_list("name", flat=True)) == ["测试企业1有限公司"]
    assert Liaison.objects.count() == 1


def test_all_or_nothing_refused_in_a_late_batch_writes_nothing(grid_a):
    rows = [HEADERS, a_row(1), a_row(2), a_row(3), a_row(4), a_row(5, 联络员手机="x")]
    result = _import(rows, create_grids=["新网格"])

    assert not result.written and (result.created, result.invalid) == (4, 1)
    assert not Enterprise.objects.exists() and not GridArea.objects.exclude(pk=grid_a.pk).exists()


def test_the_summary_keeps_the_first_problems_and_counts_them_all(grid_a, monkeypatch):
    monkeypatch.setattr(summary, "ERRORS_KEPT", 3)
    rows = [HEADERS, *(a_row(n, 联络员手机="x") for n in range(1, 8))]
    result = _import(rows, dry_run=True)

    assert result.errors_total == 7 and result.invalid == 7
    assert [e["row"] for e in result.errors] == [2, 3, 4]


def test_a_cell_holding_backslash_n_is_text_not_a_missing_value(grid_a):
    _import([HEADERS, a_row(1, 联络员姓名="\\N", 企业名称="\\N公司")])
    assert Liaison.objects.get().name == "\\N" and Enterprise.objects.get().name == "\\N公司"
