"""The choices on the import's preview, as the admin sees and makes them: new grid areas are
created only when confirmed (or their rows made invalid), the valid rows can be imported from
the preview without uploading again, and the confirm button says what it will do. The same
choices on the command line. Background steps called directly (test_import_worker.py runs
them in a real Celery worker)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from registry.models import Enterprise, GridArea, ImportRun, SecurityEvent
from registry.spreadsheet import runs
from registry.spreadsheet.importing import registry_import
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_uscc
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _checked(client, rows, mode="all_or_nothing") -> ImportRun:
    client.post(
        reverse("registry:imports"),
        {"file": SimpleUploadedFile("名册.xlsx", xlsx_bytes(rows)), "mode": mode},
    )
    run = ImportRun.objects.latest("pk")
    runs.import_run_check(run_id=run.pk)
    run.refresh_from_db()
    return run


def _page(client, run, **params) -> str:
    return client.get(reverse("registry:import_run", args=[run.pk]), params).content.decode()


def _confirm(client, run, **choices) -> ImportRun:
    client.post(reverse("registry:import_confirm", args=[run.pk]), choices)
    runs.import_run_apply(run_id=run.pk)
    run.refresh_from_db()
    return run


def _button(page: str) -> str:
    start = page.index('data-testid="confirm">') + len('data-testid="confirm">')
    return page[start : page.index("</button>", start)]


# --- new grid areas ---------------------------------------------------------------------------


def test_the_preview_lists_new_grids_and_the_import_creates_them_when_confirmed(
    client, admin_user, grid_a
):
    client.force_login(admin_user)
    run = _checked(
        client, [HEADERS, a_row(1), a_row(2, 所属网格="东区网格"), a_row(3, 所属网格="东区网格")]
    )
    page = _page(client, run)
    assert "文件中有名册里还没有的网格：" in page
    assert 'data-testid="new-grids">东区网格<' in page
    assert "新建这些网格（共 1 个）" in page and "不新建：填写这些网格的 2 行作为无效行处理" in page
    assert 'name="grids" value="create" checked' in page
    assert _button(page) == "导入：新增 3 家、更新 0 家企业，新建 1 个网格"
    assert not GridArea.objects.filter(name="东区网格").exists()  # the check creates nothing

    run = _confirm(client, run, mode="all_or_nothing", grids="create")
    assert run.status == ImportRun.Status.DONE and run.create_grids
    east = GridArea.objects.get(name="东区网格")
    assert Enterprise.objects.filter(grid=east).count() == 2
    assert "已新建的网格： 东区网格" in _page(client, run)
    confirmed = SecurityEvent.objects.get(detail__step="confirmed")
    assert confirmed.detail["create_grids"] is True


def test_not_creating_them_makes_their_rows_invalid_and_the_valid_rows_can_still_go_in(
    client, admin_user, grid_a
):
    client.force_login(admin_user)
    rows = [HEADERS, a_row(1), a_row(2, 所属网格="东区网格"), a_row(3, 所属网格="东区网格")]
    run = _checked(client, rows)
    label = _button(_page(client, run, grids="invalid", mode="skip_invalid"))
    assert label == "导入：新增 1 家、更新 0 家企业，跳过 2 个无效行"

    run = _confirm(client, run, mode="skip_invalid", grids="invalid")
    assert run.status == ImportRun.Status.DONE and not run.create_grids
    assert not GridArea.objects.filter(name="东区网格").exists()
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [valid_uscc(1)]
    page = _page(client, run)
    assert "名册中没有、也未新建的网格（填写这些网格的行无效）： 东区网格" in page
    assert "还没有名为“东区网格”的网格" in page
    assert "<td>3</td><td>所属网格</td>" in page


def test_not_creating_them_all_or_nothing_writes_nothing(client, admin_user, grid_a):
    client.force_login(admin_user)
    run = _checked(client, [HEADERS, a_row(1), a_row(2, 所属网格="东区网格")])
    label = _button(_page(client, run, grids="invalid", mode="all_or_nothing"))
    assert label == "不写入任何数据：有 1 行无效（全部导入或全部不导入）"
    run = _confirm(client, run, mode="all_or_nothing", grids="invalid")
    assert run.status == ImportRun.Status.REFUSED
    assert not Enterprise.objects.exists() and not GridArea.objects.filter(name="东区网格").exists()


def test_only_the_grids_the_preview_listed_are_created(client, admin_user, grid_a):
    """A grid renamed between the check and the import is not created behind the admin's
    back: it was not on the preview, so its rows are invalid."""
    client.force_login(admin_user)
    run = _checked(client, [HEADERS, a_row(1), a_row(2, 所属网格="甲网格")])
    assert "文件中有名册里还没有的网格" not in _page(client, run)
    grid_a.name = "甲网格（改名）"
    grid_a.code = "A2"
    grid_a.save()

    run = _confirm(client, run, mode="all_or_nothing", grids="create")
    assert run.status == ImportRun.Status.REFUSED
    assert not GridArea.objects.filter(name="甲网格").exists()
    assert run.summary["unknown_grids"] == ["甲网格"]


# --- the valid rows, from the preview -----------------------------------------------------------


def test_the_confirm_button_says_what_it_will_do_as_the_mode_changes(client, admin_user, grid_a):
    client.force_login(admin_user)
    run = _checked(client, [HEADERS, a_row(1), a_row(2, 联络员手机="12345"), a_row(3)])
    page = _page(client, run)
    assert _button(page) == "不写入任何数据：有 1 行无效（全部导入或全部不导入）"
    assert 'data-testid="mode-choice"' in page

    # The form asks for its button again when a choice changes (htmx): only that part.
    fragment = client.get(
        reverse("registry:import_run", args=[run.pk]),
        {"mode": "skip_invalid"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert _button(fragment) == "导入：新增 2 家、更新 0 家企业，跳过 1 个无效行"
    assert 'hx-select="#confirm-actions"' in page and 'id="confirm-actions"' in fragment

    # Switched on the preview itself, no new upload: the valid rows go in.
    run = _confirm(client, run, mode="skip_invalid")
    assert run.status == ImportRun.Status.DONE and Enterprise.objects.count() == 2
    assert ImportRun.objects.count() == 1


def test_without_invalid_rows_or_new_grids_there_is_no_choice_to_make(client, admin_user, grid_a):
    client.force_login(admin_user)
    run = _checked(client, [HEADERS, a_row(1), a_row(2)])
    page = _page(client, run)
    assert 'data-testid="mode-choice"' not in page and 'data-testid="grid-choice"' not in page
    assert _button(page) == "导入：新增 2 家、更新 0 家企业"


def test_an_all_unchanged_file_says_there_is_nothing_to_write(client, admin_user, enterprise_a):
    client.force_login(admin_user)
    row = a_row(
        1,
        统一社会信用代码=enterprise_a.uscc,
        企业名称=enterprise_a.name,
        注册地址=enterprise_a.registered_address,
        联络员姓名="张伟",
        联络员手机="13912345678",
    )
    run = _checked(client, [HEADERS, row])
    assert _button(_page(client, run)) == "完成：没有需要写入的内容"


# --- labels and layout --------------------------------------------------------------------------


def test_the_runs_state_is_the_imports_status_not_an_enterprises(client, admin_user, grid_a):
    client.force_login(admin_user)
    run = _checked(client, [HEADERS, a_row(1)])
    page = _page(client, run)
    assert "导入状态：</span> <strong" in page and "经营状态" not in page
    listing = client.get(reverse("registry:imports")).content.decode()
    assert "<th>导入状态</th>" in listing and "经营状态" not in listing
    assert str(ImportRun._meta.get_field("status").verbose_name) == "导入状态"


def test_the_changes_table_says_old_and_new_value(client, admin_user, grid_a):
    enterprise = EnterpriseFactory(grid=grid_a, name="旧名称有限公司")
    LiaisonFactory(enterprise=enterprise, name="张伟", mobile="13912345678")
    client.force_login(admin_user)
    row = a_row(
        1,
        统一社会信用代码=enterprise.uscc,
        企业名称="新名称有限公司",
        注册地址=enterprise.registered_address,
        联络员姓名="张伟",
        联络员手机="13912345678",
    )
    page = _page(client, _checked(client, [HEADERS, row]))
    assert "<th>原值</th><th>→ 新值</th>" in page
    assert "旧名称有限公司</td><td>→ 新名称有限公司" in page
    assert "<th>新增</th>" not in page


def test_cancel_and_the_mode_choice_sit_in_the_form_like_the_rest_of_the_page(
    client, admin_user, grid_a
):
    client.force_login(admin_user)
    upload = client.get(reverse("registry:imports")).content.decode()
    run = _checked(client, [HEADERS, a_row(1), a_row(2, 联络员手机="x")])
    page = _page(client, run)
    for html in (upload, page):
        assert '<fieldset class="choices"' in html
        assert html.count('<label class="check"') >= 2
    actions = page[
        page.index('id="confirm-actions"') : page.index(
            "</div>", page.index('id="confirm-actions"')
        )
    ]
    assert 'data-testid="confirm"' in actions and 'data-testid="cancel"' in actions
    assert 'form="cancel-form"' in actions and "取消导入" in actions

    client.post(reverse("registry:import_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED


# --- the command line and the service -------------------------------------------------------------


def test_the_command_line_creates_new_grids_only_with_create_grids(grid_a, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([HEADERS, a_row(1), a_row(2, 所属网格="东区网格")]))

    with pytest.raises(SystemExit) as exit_:
        call_command("import_registry", str(path))
    assert exit_.value.code == 1
    out = capsys.readouterr()
    assert "东区网格" in out.out and "--create-grids" in out.out
    assert "row 3, 所属网格" in out.err
    assert not Enterprise.objects.exists() and not GridArea.objects.filter(name="东区网格").exists()

    call_command("import_registry", str(path), "--dry-run", "--create-grids")
    assert "new grid areas (would be created): 东区网格" in capsys.readouterr().out
    assert not GridArea.objects.filter(name="东区网格").exists()

    call_command("import_registry", str(path), "--create-grids")
    assert "new grid areas (created): 东区网格" in capsys.readouterr().out
    assert Enterprise.objects.get(uscc=valid_uscc(2)).grid.name == "东区网格"


def test_the_command_line_skips_invalid_with_the_unknown_grids_left_out(grid_a, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([HEADERS, a_row(1), a_row(2, 所属网格="东区网格")]))
    call_command("import_registry", str(path), "--skip-invalid")
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [valid_uscc(1)]


@pytest.mark.parametrize(
    ("create_grids", "created", "grids"),
    [(True, 3, {"东区", "西区"}), (["东区"], 2, {"东区"}), (False, 1, set())],
)
def test_the_service_creates_all_the_listed_or_no_new_grids(grid_a, create_grids, created, grids):
    rows = [HEADERS, a_row(1), a_row(2, 所属网格="东区"), a_row(3, 所属网格="西区")]
    summary = registry_import(
        source=io.BytesIO(xlsx_bytes(rows)),
        filename="名册.xlsx",
        skip_invalid=True,
        create_grids=create_grids,
    )
    assert summary.created == created
    assert set(GridArea.objects.exclude(pk=grid_a.pk).values_list("name", flat=True)) == grids
    assert summary.unknown_grids == [g for g in ("东区", "西区") if g not in grids]
