"""The admin's import in the browser's requests: upload, preview, confirm, summary; the
invalid-rows download; exports scoped and masked. The background steps are called directly
here (test_import_worker.py runs them in a real Celery worker)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from registry import tasks
from registry.models import Enterprise, ImportRun, SecurityEvent, SensitiveView
from registry.spreadsheet import runs
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name="名册.xlsx", mode="all_or_nothing"):
    return client.post(
        reverse("registry:imports"),
        {"file": SimpleUploadedFile(name, data), "mode": mode},
    )


def test_upload_preview_confirm_summary(client, admin_user, grid_a):
    client.force_login(admin_user)
    rows = [["名册"], HEADERS, a_row(1), a_row(2, 联络员手机="12345"), a_row(3)]
    response = _upload(client, xlsx_bytes(rows))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportRun.Status.CHECKING
    assert "检查中" in client.get(reverse("registry:import_run", args=[run.pk])).content.decode()

    runs.import_run_check(run_id=run.pk)
    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    assert 'data-testid="created">2<' in page and 'data-testid="invalid">1<' in page
    assert "<td>4</td><td>联络员手机</td>" in page
    assert not Enterprise.objects.exists()

    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "skip_invalid"})
    runs.import_run_apply(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.summary["created"] == 2
    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    assert "已导入" in page
    affected = client.get(reverse("registry:import_enterprises", args=[run.pk])).content.decode()
    assert Enterprise.objects.count() == 2 and "测试企业3有限公司" in affected


def test_the_security_log_names_an_import_by_its_run_never_by_the_uploaded_files_name(
    client, admin_user, grid_a
):
    """The file's name is the uploader's choice and may name a person; the security log is
    append-only, so it names the run."""
    client.force_login(admin_user)
    name = "张伟13987650001联络员.xlsx"
    _upload(client, xlsx_bytes([["名册"], HEADERS, a_row(1)]), name=name)
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "all_or_nothing"})
    runs.import_run_apply(run_id=run.pk)
    events = SecurityEvent.objects.filter(action=SecurityEvent.Action.IMPORT)
    assert {e.detail["step"] for e in events} == {"uploaded", "confirmed", "written"}
    assert {e.target for e in events} == {f"import #{run.pk}"}
    assert not any("13987650001" in str(e.detail) or "张伟" in str(e.detail) for e in events)


def test_all_or_nothing_with_an_invalid_row_writes_nothing(client, admin_user, grid_a):
    client.force_login(admin_user)
    _upload(client, xlsx_bytes([HEADERS, a_row(1), a_row(2, 联络员手机="x")]))
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "all_or_nothing"})
    runs.import_run_apply(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED and not Enterprise.objects.exists()


def test_the_preview_shows_old_and_new_values_of_updated_rows(client, admin_user, grid_a):
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
    _upload(client, xlsx_bytes([HEADERS, row]))
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    assert "旧名称有限公司</td><td>→ 新名称有限公司" in page


def test_cancel_writes_nothing_and_cannot_be_confirmed_after(client, admin_user, grid_a):
    client.force_login(admin_user)
    _upload(client, xlsx_bytes([HEADERS, a_row(1)]))
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    client.post(reverse("registry:import_cancel", args=[run.pk]))
    client.post(reverse("registry:import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED and not Enterprise.objects.exists()


@pytest.mark.parametrize(
    "name, data, where",
    [
        ("名册.pdf", b"%PDF-1.4", "form"),
        ("名册.xlsx", b"", "form"),
        ("名册.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(300), "check"),
        ("名册.csv", "甲,乙\n1,2\n".encode(), "check"),
    ],
)
def test_a_bad_file_gets_a_one_line_reason_not_a_500(client, admin_user, name, data, where):
    client.force_login(admin_user)
    response = _upload(client, data, name=name)
    if where == "form":
        assert response.status_code == 400
        assert 'data-testid="error-file"' in response.content.decode()
        assert not ImportRun.objects.exists()
        return
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UNREADABLE and run.reason
    page = client.get(reverse("registry:import_run", args=[run.pk]))
    assert page.status_code == 200 and run.reason in page.content.decode()


def test_the_invalid_rows_download_has_the_row_values_and_an_error_column(
    client, admin_user, grid_a
):
    client.force_login(admin_user)
    _upload(client, xlsx_bytes([HEADERS, a_row(1), a_row(2, 联络员手机="12345")]))
    run = ImportRun.objects.get()
    response = client.get(reverse("registry:import_invalid_rows", args=[run.pk]))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = sheet.get_sheet_by_index(0).to_python()
    assert header[1:7] == HEADERS and len(rows) == 1
    assert rows[0][0] == 3 and rows[0][6] == "12345" and "联络员手机" in rows[0][-1]


def _export(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("registry:export"), params)
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_a_grid_worker_exports_their_grid_only(client, worker_a, enterprise_a, grid_b):
    EnterpriseFactory(grid=grid_b, name="乙网格的企业")
    header, *rows = _export(client, worker_a)
    assert [row[1] for row in rows] == [enterprise_a.name]
    assert rows[0][header.index("联络员手机")] == "13912345678"  # grid workers may call them
    assert SensitiveView.objects.filter(user=worker_a, channel="export").exists()


def test_an_auditor_exports_masked_values_and_nothing_is_logged(client, auditor, enterprise_a):
    header, *rows = _export(client, auditor)
    assert rows[0][header.index("联络员手机")] == "139****5678"
    assert not SensitiveView.objects.exists()


def test_the_blank_template_has_the_headers(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("registry:import_template"))
    data = b"".join(response.streaming_content)
    header, example = (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    )
    assert header[:3] == ["统一社会信用代码", "企业名称", "注册地址"] and len(header) == 26
    assert example[0].startswith("示例")  # the example row, which the import skips


def test_the_enterprise_timeline_says_which_import(client, admin_user, grid_a):
    client.force_login(admin_user)
    _upload(client, xlsx_bytes([HEADERS, a_row(1)]))
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    client.post(reverse("registry:import_confirm", args=[run.pk]))
    runs.import_run_apply(run_id=run.pk)
    enterprise = Enterprise.objects.get()
    page = client.get(reverse("registry:enterprise", args=[enterprise.uscc])).content.decode()
    assert f"#{run.pk}" in page and admin_user.username in page


def test_a_run_whose_worker_died_is_shown_as_failed_not_importing(client, admin_user, settings):
    # The worker was killed mid-import: its transaction rolled back, and it never came back to
    # mark the run. Once its lease has run out, the page says so instead of "importing".
    settings.REGISTRY_IMPORT_LEASE_SECONDS = 600
    client.force_login(admin_user)
    now = timezone.now()
    dead = ImportRun.objects.create(
        created_by=admin_user,
        filename="名册.xlsx",
        status=ImportRun.Status.IMPORTING,
        heartbeat_at=now - datetime.timedelta(minutes=11),
    )
    alive = ImportRun.objects.create(
        created_by=admin_user,
        filename="名册2.xlsx",
        status=ImportRun.Status.IMPORTING,
        heartbeat_at=now - datetime.timedelta(minutes=2),
    )

    page = client.get(reverse("registry:import_run", args=[dead.pk])).content.decode()

    assert "导入被中断" in page and "未写入任何数据" in page
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED and dead.finished_at is not None
    assert alive.status == ImportRun.Status.IMPORTING


def test_the_periodic_sweep_fails_a_check_that_never_started_renewing(admin_user, settings):
    settings.REGISTRY_IMPORT_LEASE_SECONDS = 60
    run = ImportRun.objects.create(created_by=admin_user, filename="名册.xlsx")
    assert tasks.import_runs_expire() == 0  # just uploaded: the lease counts from the upload
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert tasks.import_runs_expire() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "未写入任何数据" in run.reason


def _refused_run(client, admin_user):
    """An all-or-nothing import of two valid rows and an invalid one, refused."""
    client.force_login(admin_user)
    _upload(client, xlsx_bytes([HEADERS, a_row(1), a_row(2, 联络员手机="x"), a_row(3)]))
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "all_or_nothing"})
    runs.import_run_apply(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED and not Enterprise.objects.exists()
    return run


def test_a_refused_run_imports_its_valid_rows_from_its_page_without_a_second_upload(
    client, admin_user, grid_a
):
    run = _refused_run(client, admin_user)
    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    assert 'data-testid="valid-only"' in page
    assert "导入：新增 2 家、更新 0 家企业，跳过 1 个无效行" in page  # what the button will do

    response = client.post(
        reverse("registry:import_confirm", args=[run.pk]), {"mode": "skip_invalid"}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED and run.mode == ImportRun.Mode.SKIP_INVALID
    runs.import_run_apply(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and ImportRun.objects.count() == 1
    assert sorted(Enterprise.objects.values_list("name", flat=True)) == [
        "测试企业1有限公司",
        "测试企业3有限公司",
    ]
    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    assert "已导入" in page and 'data-testid="valid-only"' not in page
    assert 'data-testid="invalid">1<' in page  # the invalid row, still listed, left out
    confirmed = SecurityEvent.objects.filter(detail__step="confirmed").order_by("pk")
    assert [e.detail["mode"] for e in confirmed] == ["all_or_nothing", "skip_invalid"]


def test_a_refused_run_imported_once_cannot_be_imported_again(client, admin_user, grid_a):
    run = _refused_run(client, admin_user)
    url = reverse("registry:import_confirm", args=[run.pk])
    client.post(url, {"mode": "skip_invalid"})
    runs.import_run_apply(run_id=run.pk)

    response = client.post(url, {"mode": "skip_invalid"}, follow=True)

    assert "此次导入已无法确认。" in response.content.decode()
    assert Enterprise.objects.count() == 2


def test_a_refused_run_whose_file_is_gone_offers_no_valid_rows_import(client, admin_user, grid_a):
    run = _refused_run(client, admin_user)
    ImportRun.objects.filter(pk=run.pk).update(file="")  # what the retention run does

    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()
    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "skip_invalid"})

    assert 'data-testid="valid-only"' not in page
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED and not Enterprise.objects.exists()


def test_a_refused_run_with_no_valid_row_offers_nothing_to_import(client, admin_user, grid_a):
    client.force_login(admin_user)
    _upload(client, xlsx_bytes([HEADERS, a_row(1, 联络员手机="x")]))
    run = ImportRun.objects.get()
    runs.import_run_check(run_id=run.pk)
    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "all_or_nothing"})
    runs.import_run_apply(run_id=run.pk)

    page = client.get(reverse("registry:import_run", args=[run.pk])).content.decode()

    assert "未导入：存在无效行" in page
    assert 'data-testid="valid-only"' not in page


def test_the_import_page_says_a_csv_cannot_keep_the_text_format(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("registry:imports")).content.decode()
    assert "CSV 文件无法保存单元格格式" in page and "请导出 .xlsx" in page
