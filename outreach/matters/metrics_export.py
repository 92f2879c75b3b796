"""The metrics page's tables as a spreadsheet (xlsx: a sheet per dimension; csv: one table
with the dimension in the first column, UTF-8 with BOM as Excel expects), in the style of
the registry export (registry/spreadsheet/exporting.py).

No column carries personal data: a row is a month, a category, a department or a grid area,
and its figures are counts, rates and average hours, so nothing is masked and the export
leaves no SensitiveView; it is logged as an export in the security log like every other.
Names typed by admins (categories, departments, grid areas) are neutralised so that a
spreadsheet never runs one as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from typing import IO

from django.utils.translation import gettext as _

from outreach.matters.metrics import MetricsRow
from registry import clock
from registry.models import SecurityEvent
from registry.security_log import security_event_record
from registry.spreadsheet.columns import neutralise


def headers() -> list[str]:
    return [
        _("Grouped by"),
        _("Month, category, department or grid area"),
        _("Matters"),
        _("First responses due"),
        _("Responded within the limit"),
        _("Response rate (%)"),
        _("Answered"),
        _("Resolved"),
        _("Resolution rate (%)"),
        _("Rated"),
        _("Satisfied or mostly satisfied"),
        _("Satisfaction rate (%)"),
        _("Hours to first response"),
        _("Hours to resolution"),
    ]


def _values(dimension: str, row: MetricsRow) -> list:
    return [
        dimension,
        neutralise(row.label),
        row.total,
        row.response_due,
        row.responded_in_time,
        row.response_rate,
        row.answered,
        row.resolved,
        row.resolution_rate,
        row.rated,
        row.satisfied,
        row.satisfaction_rate,
        row.response_hours,
        row.resolution_hours,
    ]


def _rows(tables: Sequence[tuple[str, list[MetricsRow]]]) -> Iterator[list]:
    for dimension, rows in tables:
        for row in rows:
            yield _values(dimension, row)


def metrics_export(
    *,
    out: IO[bytes],
    fmt: str,
    tables: Sequence[tuple[str, list[MetricsRow]]],
    user,
    period: tuple[datetime.date | None, datetime.date | None],
    ip_address: str | None = None,
) -> int:
    """Write ``tables`` ((dimension title, rows) as the page shows them) to the binary ``out``
    as ``fmt`` "xlsx" or "csv"; an empty figure (a rate with nothing to count) is an empty
    cell. Returns the number of rows written (headers excluded)."""
    count = 0
    if fmt == "csv":
        handle = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        try:
            handle.write("\ufeff")
            writer = csv.writer(handle)
            writer.writerow(headers())
            for values in _rows(tables):
                writer.writerow(["" if v is None else v for v in values])
                count += 1
        finally:
            handle.detach()
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        for dimension, rows in tables:
            # Sheet names: at most 31 characters, none of []:*?/\ (the titles have none).
            sheet = workbook.create_sheet(dimension[:31])
            sheet.append(headers())
            for row in rows:
                sheet.append(_values(dimension, row))
                count += 1
        workbook.save(out)
    since, until = period
    security_event_record(
        action=SecurityEvent.Action.EXPORT,
        at=clock.now(),
        by=user,
        address=ip_address,
        target="matter-metrics",
        detail={
            "what": "matter_metrics",
            "format": fmt,
            "rows": count,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        },
    )
    return count
