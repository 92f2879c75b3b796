"""The import as the contract (registry-template.md) describes it, through the command line
and the service the browser's tasks call."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pghistory.models import Events

from registry.models import Door, EmergencyContact, Enterprise, GridArea, Liaison
from registry.spreadsheet.exporting import registry_export
from registry.spreadsheet.importing import registry_import
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_id_number, valid_uscc
from tests.registry.spreadsheet.files import HEADERS, a_row, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def _import(rows, *, name="名册.xlsx", **options):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows, "gbk")
    return registry_import(source=io.BytesIO(data), filename=name, **options)


def test_messy_values_are_stored_normalised(grid_a):
    headers = [*HEADERS, "企业规模", "重点税源", "登记电话", "联络员身份证号", "备注"]
    row = [
        *a_row(
            1,
            统一社会信用代码=f"  {valid_uscc(1).lower()}\u00a0",
            企业名称="\u3000上海甲乙科技有限公司 ",
            所属网格="A",  # the grid's code works as well as its name
            联络员手机=13812345678.0,  # a number cell
        ),
        *["小型企业", "√", "(021)65551234", valid_id_number(7), "ignored"],
    ]
    summary = _import([["某某园区企业联络员名册（2026年）"], headers, row])

    assert (summary.created, summary.invalid, summary.unknown_columns) == (1, 0, ["备注"])
    enterprise = Enterprise.objects.get()
    assert enterprise.uscc == valid_uscc(1)
    assert enterprise.name == "上海甲乙科技有限公司"
    assert (enterprise.grid, enterprise.size, enterprise.key_taxpayer) == (grid_a, "small", True)
    assert enterprise.registered_phone == "021-65551234"
    liaison = Liaison.objects.get()
    assert (liaison.mobile, liaison.id_number) == ("13812345678", valid_id_number(7))


def test_full_width_mobile_with_plus86_in_a_gbk_csv(grid_a):
    summary = _import([HEADERS, a_row(1, 联络员手机="+86 １３８-1234-5678")], name="名册.csv")
    assert summary.created == 1
    assert Liaison.objects.get().mobile == "13812345678"


def test_errors_name_the_excel_row_and_the_header_as_written_and_nothing_is_written(grid_a):
    headers = [h if h != "联络员手机" else " 联络员手机 " for h in HEADERS]
    rows = [["标题"], headers, a_row(1), [], a_row(2, 联络员手机="12345"), a_row(3)]
    summary = _import(rows)

    assert (summary.rows_total, summary.invalid, summary.written) == (3, 1, False)
    assert summary.errors == [
        {"row": 5, "column": "联络员手机", "message": summary.errors[0]["message"]}
    ]
    assert "13812345678" in summary.errors[0]["message"]  # what a right value looks like
    assert not Enterprise.objects.exists()


def test_skip_invalid_writes_the_valid_rows_only(grid_a):
    rows = [HEADERS, a_row(1), a_row(2, 统一社会信用代码="91310115000000002X"), a_row(3)]
    summary = _import(rows, skip_invalid=True)
    assert (summary.created, summary.invalid, summary.written) == (2, 1, True)
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == {valid_uscc(1), valid_uscc(3)}


def test_the_same_code_twice_makes_both_rows_invalid(grid_a):
    summary = _import([HEADERS, a_row(1), a_row(2), a_row(1, 企业名称="又一家")], skip_invalid=True)
    assert summary.invalid == 2
    messages = {e["row"]: e["message"] for e in summary.errors}
    assert "4" in messages[2] and "2" in messages[4]
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [valid_uscc(2)]


def test_a_dry_run_writes_nothing_and_reports_what_a_real_run_would_do(enterprise_a):
    rows = [
        HEADERS,
        a_row(500),  # new
        a_row(  # unchanged
            99,
            统一社会信用代码=enterprise_a.uscc,
            企业名称=enterprise_a.name,
            注册地址=enterprise_a.registered_address,
            联络员姓名="张伟",
            联络员手机="13912345678",
        ),
        a_row(501, 联络员手机="bad"),
    ]
    dry = _import(rows, dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged, dry.invalid) == (1, 0, 1, 1)
    assert Enterprise.objects.count() == 1

    real = _import(rows, skip_invalid=True)
    assert (real.created, real.updated, real.unchanged, real.invalid) == (1, 0, 1, 1)


def test_a_different_person_ends_the_liaison_and_starts_a_new_one(enterprise_a):
    old = enterprise_a.current_liaison
    row = a_row(
        1,
        统一社会信用代码=enterprise_a.uscc,
        企业名称=enterprise_a.name,
        注册地址=enterprise_a.registered_address,
        联络员姓名="李娜",
        联络员手机="13700001111",
    )
    summary = _import([HEADERS, row])

    assert summary.updated == 1
    old.refresh_from_db()
    assert old.ended_on == datetime.date.today() and old.name == "张伟"
    current = Liaison.objects.get(enterprise=enterprise_a, ended_on__isnull=True)
    assert (current.name, current.mobile) == ("李娜", "13700001111")
    assert any("李娜" in c["new"] for c in summary.changes[0]["changes"])


def test_the_same_person_with_a_new_position_is_updated_not_replaced(grid_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    liaison = LiaisonFactory(enterprise=enterprise, name="王芳", mobile="13600002222")
    headers = [*HEADERS, "联络员职务"]
    row = [
        *a_row(
            1,
            统一社会信用代码=enterprise.uscc,
            企业名称=enterprise.name,
            注册地址=enterprise.registered_address,
            联络员姓名="王芳",
            联络员手机="136 0000 2222",
        ),
        "财务经理",
    ]
    summary = _import([headers, row])

    assert summary.updated == 1
    assert summary.changes[0]["changes"] == [{"column": "联络员职务", "old": "", "new": "财务经理"}]
    assert Liaison.objects.filter(enterprise=enterprise).count() == 1
    liaison.refresh_from_db()
    assert (liaison.position, liaison.version) == ("财务经理", 2)


def test_changes_are_history_tagged_with_the_import_and_unchanged_rows_write_none(grid_a):
    _import([HEADERS, a_row(1), a_row(2)], import_run=12)
    events = Events.objects.filter(pgh_model="registry.EnterpriseEvent")
    assert events.count() == 2
    assert {e.pgh_context["door"] for e in events} == {Door.IMPORT.value}
    assert {e.pgh_context["import_run"] for e in events} == {12}

    before = Events.objects.count()
    again = _import([HEADERS, a_row(1), a_row(2, 企业名称="改名了")], import_run=13)
    assert (again.unchanged, again.updated) == (1, 1)
    assert Events.objects.count() == before + 1  # one update event, nothing for the other row


def test_an_unknown_grid_is_created_and_named_in_the_report(db):
    summary = _import([HEADERS, a_row(1, 所属网格="新网格")])
    assert summary.new_grids == ["新网格"]
    assert Enterprise.objects.get().grid == GridArea.objects.get(name="新网格")


def test_emergency_contacts_are_created_and_changed(grid_a):
    headers = [*HEADERS, "紧急联系人", "紧急联系人关系", "紧急联系人电话"]
    _import([headers, [*a_row(1), "王强", "配偶", "13600002222"]])
    contact = EmergencyContact.objects.get()
    assert (contact.name, contact.phone) == ("王强", "13600002222")

    summary = _import([headers, [*a_row(1), "王强", "配偶", "021-65551234"]])
    assert summary.updated == 1
    contact.refresh_from_db()
    assert contact.phone == "021-65551234"

    broken = _import([headers, [*a_row(2), "赵敏", "", ""]])
    assert broken.errors[0]["column"] == "紧急联系人电话"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing_formulas_included(grid_a, tmp_path, fmt):
    headers = [*HEADERS, "行业", "紧急联系人", "紧急联系人电话", "联络员身份证号"]
    rows = [
        headers,
        [*a_row(1), "=1+2", "@王强", "13600002222", valid_id_number(3)],
        [*a_row(2, 企业名称="-减号开头公司"), "+86", "", "", ""],
        [*a_row(3, 企业名称="''=已经有引号"), "制造业", "", "", ""],
    ]
    # (CSV keeps "=1+2" as text; openpyxl would write it into an xlsx as a formula.)
    assert _import(rows, name="名册.csv").created == 3
    stored = {e.uscc: (e.name, e.industry) for e in Enterprise.objects.all()}
    out = tmp_path / f"out.{fmt}"
    registry_export(out=str(out), fmt=fmt)
    if fmt == "csv":
        text = out.read_text("utf-8-sig")
        assert "'=1+2" in text and "'-减号开头公司" in text and "''=已经有引号" in text

    before = Events.objects.count()
    summary = registry_import(source=str(out), filename=out.name)
    assert (summary.unchanged, summary.updated, summary.created) == (3, 0, 0)
    assert Events.objects.count() == before
    assert {e.uscc: (e.name, e.industry) for e in Enterprise.objects.all()} == stored


def test_the_import_does_not_query_per_row(grid_a):
    def queries(n: int, start: int) -> int:
        rows = [HEADERS, *(a_row(start + i) for i in range(n))]
        with CaptureQueriesContext(connection) as captured:
            assert _import(rows).created == n
        with CaptureQueriesContext(connection) as again:
            changed = [a_row(start + i, 联络员姓名="新人") for i in range(n)]
            assert _import([HEADERS, *changed]).updated == n
        return len(captured) + len(again)

    assert queries(5, 1000) == queries(300, 2000)


def test_the_command_line_report_and_exit_codes(grid_a, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([HEADERS, a_row(1), a_row(2, 联络员手机="x")]))
    report = tmp_path / "report.json"

    with pytest.raises(SystemExit) as exit_:
        call_command("import_registry", str(path), "--report", str(report))
    assert exit_.value.code == 1
    data = json.loads(report.read_text("utf-8"))
    assert {k: data[k] for k in ("rows_total", "created", "invalid")} == {
        "rows_total": 2,
        "created": 1,
        "invalid": 1,
    }
    assert data["errors"][0]["row"] == 3 and data["errors"][0]["column"] == "联络员手机"
    assert not Enterprise.objects.exists()

    call_command("import_registry", str(path), "--skip-invalid")  # exit 0
    assert Enterprise.objects.count() == 1
    call_command("export_registry", str(tmp_path / "out.csv"), "--grid", "A")
    assert valid_uscc(1) in (tmp_path / "out.csv").read_text("utf-8-sig")


def test_the_import_writes_the_names_pinyin_for_the_search_new_and_renamed(grid_a):
    _import([HEADERS, a_row(1, 企业名称="上海华信电子有限公司"), a_row(2)])
    assert Enterprise.objects.get(uscc=valid_uscc(1)).name_pinyin == (
        "shanghaihuaxindianziyouxiangongsi shhxdzyxgs"
    )
    _import([HEADERS, a_row(1), a_row(2, 企业名称="远大科技")])
    pinyin = dict(Enterprise.objects.values_list("uscc", "name_pinyin"))
    assert pinyin[valid_uscc(1)].startswith("ceshiqiye1youxiangongsi ")
    assert pinyin[valid_uscc(2)] == "yuandakeji ydkj"
    # The history says nothing of it: the name says it all.
    event = Events.objects.filter(pgh_model="registry.EnterpriseEvent").last()
    assert "name_pinyin" not in event.pgh_data
