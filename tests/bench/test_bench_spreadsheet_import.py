"""The registry import at 100,000 rows, measured in one run: dry run, a real import into an
empty registry, the same file again (every row unchanged), a file in which every liaison's
mobile differs (every row updated: each current liaison ended and a new one started), and the
same first file through a plain django-import-export ModelResource as the baseline. Prints
rows/s, the ratio and each run's own peak memory.

Memory, per run: the process's resident set (RSS, what the machine must have: Python's heap
and calamine's Rust memory alike) at its highest during that run alone. Linux keeps that high
mark (VmHWM) for the process's life; writing 5 to /proc/self/clear_refs resets it to the
current RSS, so each run starts from a fresh mark after the garbage of the run before was
collected and handed back to the system (gc, malloc_trim). The process itself (Python,
Django, pytest) is part of the figure; its RSS before the run is printed beside it.

Runs last in tests/bench (file name) and inside the test's transaction: the registry the
other benchmarks seeded is emptied here and comes back when the transaction rolls back.
"""

import contextlib
import ctypes
import gc
import os
import time
from dataclasses import dataclass

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
TARGET_RATIO = 20  # issue #16: at least 20x the baseline
TARGET_PEAK_MB = 250  # issue #16: peak memory under 250 MB


def _write_file(path, *, mobile_prefix: str = "139") -> None:
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
                f"{mobile_prefix}{i:08d}",
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


def _fk_checks() -> None:
    # The deferred foreign-key checks fire at COMMIT in production; the bench's transaction
    # never commits, so fire them here, inside the timing.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> bool:
    """Hand freed memory back, then restart the high mark at the current RSS."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


@dataclass
class Run:
    title: str
    seconds: float
    rss_before: float
    peak: float
    own_peak: bool  # False: the high mark could not be reset (process-lifetime peak)
    result: object = None

    def line(self) -> str:
        mark = "" if self.own_peak else " (process-lifetime high mark)"
        return (
            f"  {self.title:<38} {self.seconds:6.1f} s  {ROWS / self.seconds:9,.0f} rows/s"
            f"   peak RSS {self.peak:4.0f} MB (+{self.peak - self.rss_before:3.0f} MB over "
            f"{self.rss_before:.0f} MB before){mark}"
        )


def _measured(title: str, call) -> Run:
    own = _reset_peak()
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    return Run(title, seconds, before, _status_mb("VmHWM"), own, result)


def test_import_100k_rows(tmp_path):
    path = tmp_path / "registry-100k.xlsx"
    changed_path = tmp_path / "registry-100k-new-mobiles.xlsx"
    started = time.perf_counter()
    _write_file(path)
    _write_file(changed_path, mobile_prefix="138")
    generate = time.perf_counter() - started
    size_mb = path.stat().st_size / 1024 / 1024
    _empty_registry()

    def run(file, **options):
        return registry_import(source=str(file), filename=file.name, **options)

    def run_and_check(file):
        summary = run(file)
        _fk_checks()
        return summary

    dry = _measured("dry run (all new):", lambda: run(path, dry_run=True))
    assert dry.result.created == ROWS and not Enterprise.objects.exists()
    new = _measured("import into an empty registry:", lambda: run_and_check(path))
    assert new.result.created == ROWS and Liaison.objects.count() == ROWS
    again = _measured("same file again (all unchanged):", lambda: run(path))
    assert again.result.unchanged == ROWS
    changed = _measured("every liaison's mobile new:", lambda: run_and_check(changed_path))
    assert changed.result.updated == ROWS and Liaison.objects.count() == 2 * ROWS
    assert not Liaison.objects.filter(ended_on=None, mobile__startswith="139").exists()

    _empty_registry()
    with open(path, "rb") as handle:
        import tablib

        started = time.perf_counter()
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
        read_s = time.perf_counter() - started
    base = _measured("baseline, plain ModelResource:", lambda: _baseline(dataset))
    base.seconds += read_s
    assert Enterprise.objects.count() == ROWS

    ratio = base.seconds / new.seconds
    ours = [dry, new, again, changed]
    peak = max(r.peak for r in ours)
    fast, small = ratio >= TARGET_RATIO, peak < TARGET_PEAK_MB
    verdict = "PASS" if fast and small else "FAIL"
    print(
        f"\nRegistry import, {ROWS:,} rows, xlsx {size_mb:.1f} MB (two files generated in "
        f"{generate:.0f} s)\n"
        f"{dry.line()}\n"
        f"{new.line()}\n    (enterprise + liaison + history + FK checks)\n"
        f"{again.line()}\n"
        f"{changed.line()}\n    (each current liaison ended, a new one started, with history)\n"
        f"{base.line()}\n    (tablib read {read_s:.1f} s included, its peak not; enterprise "
        "rows only, no liaison)\n"
        f"  ratio import/baseline:            {ratio:6.1f}x\n"
        f"  memory: each run's own peak RSS of this process (VmHWM reset before the run)\n"
        f"  issue targets: at least {TARGET_RATIO}x the baseline "
        f"{'met' if fast else 'MISSED'}; peak under {TARGET_PEAK_MB} MB in every run of ours "
        f"({peak:.0f} MB) {'met' if small else 'MISSED'}  => {verdict}"
    )
    assert verdict == "PASS"


def _baseline(dataset):
    result = PlainEnterpriseResource().import_data(dataset)
    assert not result.has_errors()
    return result
