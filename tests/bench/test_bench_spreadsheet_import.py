"""The registry import at 100,000 rows, measured in one run: dry run, a real import into an
empty registry, the same file again (every row unchanged), and the same file through a plain
django-import-export ModelResource as the baseline. Prints rows/s, the ratio and peak memory.

Runs last in tests/bench (file name) and inside the test's transaction: the registry the
other benchmarks seeded is emptied here and comes back when the transaction rolls back.
"""

import os
import resource
import time

import pytest
from django.db import connection
from import_export import resources
from openpyxl import Workbook

from registry.models import Enterprise, Liaison
from registry.spreadsheet.importing import registry_import
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
HEADERS = [
    "uscc",
    "name",
    "registered_address",
    "grid",
    "industry",
    "size",
    "key_taxpayer",
    "pre_approval",
    "registered_phone",
    "legal_representative",
    "liaison_name",
    "liaison_position",
    "liaison_mobile",
]
SIZES = ["large", "medium", "small", "micro"]


def _write_file(path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append(HEADERS)
    for i in range(1, ROWS + 1):
        sheet.append(
            [
                valid_uscc(i),
                f"上海基准测试{i}科技有限公司",
                f"上海市浦东新区张江路{i}号",
                f"基准网格{i % 20 + 1}",
                "制造业",
                SIZES[i % 4],
                "1" if i % 9 == 0 else "0",
                "1" if i % 13 == 0 else "0",
                f"021-{50000000 + i}",
                f"法人{i}",
                f"联络员{i}",
                "行政专员",
                f"139{i:08d}",
            ]
        )
    workbook.save(path)


class PlainEnterpriseResource(resources.ModelResource):
    """What django-import-export gives out of the box: row by row, diff on."""

    class Meta:
        model = Enterprise
        import_id_fields = ["uscc"]
        fields = [h for h in HEADERS if h not in {"grid"} and not h.startswith("liaison")]


def _empty_registry() -> None:
    with connection.cursor() as cursor:
        # Fire the deferred foreign-key checks of the previous writes first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE registry_emergencycontact, registry_liaison, registry_enterprise, "
            "registry_gridarea CASCADE"
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_import_100k_rows(tmp_path):
    path = tmp_path / "registry-100k.xlsx"
    (_none, generate) = _timed(lambda: _write_file(path))
    size_mb = path.stat().st_size / 1024 / 1024
    _empty_registry()
    rss_before = _peak_mb()

    def run(**options):
        return registry_import(source=str(path), filename=path.name, **options)

    dry, dry_s = _timed(lambda: run(dry_run=True))
    assert dry.created == ROWS and not Enterprise.objects.exists()

    def run_and_check():
        summary = run()
        # The deferred foreign-key checks fire at COMMIT in production; the bench's
        # transaction never commits, so fire them here, inside the timing.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return summary

    new, new_s = _timed(run_and_check)
    assert new.created == ROWS and Liaison.objects.count() == ROWS
    again, again_s = _timed(run)
    assert again.unchanged == ROWS
    rss_ours = _peak_mb()

    _empty_registry()
    with open(path, "rb") as handle:
        import tablib

        dataset, read_s = _timed(lambda: tablib.Dataset().load(handle.read(), format="xlsx"))
    result, base_import_s = _timed(lambda: PlainEnterpriseResource().import_data(dataset))
    assert not result.has_errors() and Enterprise.objects.count() == ROWS
    base_s = read_s + base_import_s

    rate = ROWS / new_s
    base_rate = ROWS / base_s
    ratio = rate / base_rate
    fast = new_s < 60 * ROWS / 100_000
    verdict = "PASS" if fast and ratio >= 10 else "FAIL"
    print(
        f"\nRegistry import, {ROWS:,} rows, xlsx {size_mb:.1f} MB (generated in {generate:.0f} s)\n"
        f"  dry run (all new):                {dry_s:6.1f} s  {ROWS / dry_s:9,.0f} rows/s\n"
        f"  import into an empty registry:    {new_s:6.1f} s  {rate:9,.0f} rows/s"
        f"   (enterprise + liaison + history + FK checks)\n"
        f"  same file again (all unchanged):  {again_s:6.1f} s  {ROWS / again_s:9,.0f} rows/s\n"
        f"  baseline, plain ModelResource:    {base_s:6.1f} s  {base_rate:9,.0f} rows/s"
        f"   (tablib read {read_s:.1f} s; enterprise rows only, no liaison)\n"
        f"  ratio import/baseline:            {ratio:6.1f}x\n"
        f"  peak memory of the process: {rss_before:.0f} MB before, {rss_ours:.0f} MB after "
        f"our three runs (ru_maxrss)\n"
        f"  issue targets: import under 60 s per 100k rows "
        f"{'met' if fast else 'MISSED'}; at least 10x the baseline "
        f"{'met' if ratio >= 10 else 'MISSED'}  => {verdict}\n"
        f"  own targets: import < 30 s {'met' if new_s < 30 else 'missed'}, dry run < 8 s "
        f"{'met' if dry_s < 8 else 'missed'}, unchanged < 10 s "
        f"{'met' if again_s < 10 else 'missed'} (at 100k rows)"
    )
    assert verdict == "PASS"
