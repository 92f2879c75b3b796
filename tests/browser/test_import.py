"""An admin imports a messy spreadsheet in a real Chromium; a real Celery worker checks and
writes it."""

import re

from playwright.sync_api import expect

from tests.registry.spreadsheet.files import HEADERS, a_row, csv_bytes


def test_admin_uploads_a_messy_file_sees_the_invalid_row_and_imports_the_rest(
    page,
    login,
    admin_user,
    grid_a,
    worker_queue,
    settings,
    tmp_path,
    shot,
):
    settings.REGISTRY_IMPORT_QUEUE = worker_queue
    rows = [
        ["某某园区企业联络员名册（2026年）"],
        HEADERS,
        a_row(1, 联络员手机="+86 138 1234 5678"),
        [],
        a_row(2, 联络员手机="12345"),
        a_row(3, 企业名称="\u3000上海甲乙科技有限公司 "),
    ]
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes(rows, "gbk"))

    login(page, admin_user.username)
    page.get_by_role("link", name="导入", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_test_id("import-run")).to_have_attribute(
        "data-status", "checked", timeout=60_000
    )
    expect(page.get_by_test_id("created")).to_have_text("2")
    expect(page.get_by_test_id("invalid")).to_have_text("1")
    expect(page.get_by_test_id("errors")).to_contain_text("联络员手机")
    expect(page.get_by_test_id("errors")).to_contain_text("5")
    shot(page, "import-preview")

    # All or nothing, as uploaded: the button says it would write nothing. Switching to the
    # valid rows on the preview itself re-labels it (htmx asks for the button again).
    expect(page.get_by_test_id("confirm")).to_have_text(
        "不写入任何数据：有 1 行无效（全部导入或全部不导入）"
    )
    page.get_by_label("导入有效行，跳过无效行").check()
    expect(page.get_by_test_id("confirm")).to_have_text(
        "导入：新增 2 家、更新 0 家企业，跳过 1 个无效行"
    )
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("import-run")).to_have_attribute(
        "data-status", "done", timeout=60_000
    )
    expect(page.get_by_test_id("run-status")).to_have_text("已导入")
    expect(page.get_by_test_id("created")).to_have_text("2")
    shot(page, "import-summary")

    page.get_by_test_id("affected-link").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/enterprises/"))
    expect(page.get_by_test_id("affected")).to_contain_text("上海甲乙科技有限公司")


def test_admin_imports_a_workbook_as_parks_keep_it(
    page, login, admin_user, grid_a, worker_queue, settings, tmp_path, shot
):
    """A hidden sheet of choices first, the registry starting at B3 under a title, the grid
    merged down over its rows, and a lookup that failed (#N/A) in one row: the preview names
    the sheet, fills the merged grid, and reports the error at the row Excel shows."""
    from tests.registry.spreadsheet.field_files import Err, workbook

    settings.REGISTRY_IMPORT_QUEUE = worker_queue
    headers = [*HEADERS, "登记电话"]
    rows = [
        ["某某园区企业联络员名册（2026年）"],
        headers,
        [*a_row(1, 所属网格="甲网格"), "021-65551234"],
        [*a_row(2, 所属网格=""), "021-65551235"],
        [*a_row(3), Err("#N/A")],
    ]
    path = tmp_path / "名册.xlsx"
    path.write_bytes(
        workbook(
            [
                {"title": "下拉选项", "rows": [["企业规模"], ["大型"]], "state": "hidden"},
                {"title": "企业名册", "rows": rows, "at": "B3", "merge": ["E5:E7"]},
            ]
        )
    )

    login(page, admin_user.username)
    page.get_by_role("link", name="导入", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_test_id("import-run")).to_have_attribute(
        "data-status", "checked", timeout=60_000
    )
    expect(page.get_by_test_id("sheet-read")).to_have_text(
        "读取的工作表：“企业名册”，表头在第 4 行。"
    )
    expect(page.get_by_test_id("created")).to_have_text("2")
    expect(page.get_by_test_id("invalid")).to_have_text("1")
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("7")
    expect(errors).to_contain_text("登记电话")
    expect(errors).to_contain_text("此单元格是 Excel 错误值 #N/A")
    shot(page, "import-preview-workbook")

    page.get_by_label("导入有效行，跳过无效行").check()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("import-run")).to_have_attribute(
        "data-status", "done", timeout=60_000
    )
    expect(page.get_by_test_id("created")).to_have_text("2")
    from registry.models import Enterprise

    assert set(Enterprise.objects.values_list("grid__name", flat=True)) == {"甲网格"}
