"""The holiday years admins enter (registry.workdays reads them): reading an arrangement from
lines of text or a small CSV file, and the writes.

A line is ``date,kind,name``: ``2027-02-10,休,春节``. The kind is 休 / 假 / holiday for a
public holiday and 班 / workday for a make-up working day (调休上班). A header line is
skipped. Every problem is reported with its line number, and nothing is written unless every
line is right.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from registry import clock
from registry.models import HolidayDay, HolidayYear
from registry.normalize import clean_text

KINDS = {
    "休": HolidayDay.Kind.HOLIDAY,
    "假": HolidayDay.Kind.HOLIDAY,
    "holiday": HolidayDay.Kind.HOLIDAY,
    "班": HolidayDay.Kind.WORKDAY,
    "workday": HolidayDay.Kind.WORKDAY,
}
HEADER_WORDS = {"日期", "date"}
# A year's notice lists some thirty days; anything far larger is not an arrangement.
MAX_LINES = 400
MAX_FILE_BYTES = 64 * 1024
# A sane range: the package starts in 2004, and nobody plans beyond the century.
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_ERRORS = 20

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class HolidayRow:
    date: datetime.date
    kind: str  # HolidayDay.Kind
    name: str = ""


def _date(text: str) -> datetime.date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def holiday_rows_parse(text: str, *, year: int) -> list[HolidayRow]:
    """The days of ``year`` written as CSV lines; a ValidationError naming every bad line."""
    errors: list[str] = []
    rows: list[HolidayRow] = []
    seen: dict[datetime.date, int] = {}
    for number, cells in _lines(text):
        try:
            row = _row(cells, number=number, year=year, seen=seen)
        except ValidationError as problem:
            errors.extend(problem.messages)
            continue
        seen[row.date] = number
        rows.append(row)
    if errors:
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            errors = [
                *errors[:MAX_ERRORS],
                _("… and %(count)s more lines with problems.") % {"count": more},
            ]
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("No day given: enter at least one holiday."))
    return rows


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cleaned cells) of every line that says something: blank lines and a
    header line are skipped."""
    # Typed in Chinese (full-width commas) or pasted from a spreadsheet (tabs): the same.
    lines = list(csv.reader(io.StringIO(text.replace("，", ",").replace("\t", ","))))
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("Too many lines (%(count)s); a year's arrangement has at most %(max)s.")
            % {"count": len(lines), "max": MAX_LINES}
        )
    for number, cells in enumerate(lines, start=1):
        cells = [clean_text(cell) for cell in cells]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue  # a blank line
        if number == 1 and cells[0].lower() in HEADER_WORDS:
            continue
        yield number, cells


def _row(cells: list[str], *, number: int, year: int, seen: dict) -> HolidayRow:
    """Line ``number``'s day, or a ValidationError saying everything wrong with the line
    (``seen``: the days of the lines before, with their numbers)."""
    if len(cells) < 2 or len(cells) > 3:
        raise ValidationError(
            _("Line %(line)s: expected three columns (date, 休/班, name), found %(count)s.")
            % {"line": number, "count": len(cells)}
        )
    day = _date(cells[0])
    kind = KINDS.get(cells[1].lower())
    name = cells[2] if len(cells) == 3 else ""
    problems = []
    if day is None:
        problems.append(
            _("“%(value)s” is not a date; write it as %(year)s-01-01.")
            % {"value": cells[0], "year": year}
        )
    elif day.year != year:
        problems.append(_("%(date)s is not in %(year)s.") % {"date": day.isoformat(), "year": year})
    elif day in seen:
        problems.append(
            _("%(date)s is already on line %(other)s.")
            % {"date": day.isoformat(), "other": seen[day]}
        )
    if kind is None:
        problems.append(
            _(
                "“%(value)s” is neither a holiday nor a make-up working day; "
                "write 休, 假 or holiday, or 班 or workday."
            )
            % {"value": cells[1]}
        )
    max_name = HolidayDay._meta.get_field("name").max_length
    if len(name) > max_name:
        problems.append(_("The name is longer than %(max)s characters.") % {"max": max_name})
    if problems:
        raise ValidationError(
            _("Line %(line)s: %(problems)s") % {"line": number, "problems": " ".join(problems)}
        )
    return HolidayRow(date=day, kind=kind, name=name)


def holiday_file_text(content: bytes) -> str:
    """An uploaded CSV file as text: UTF-8 (with or without a BOM, as Excel writes it), else
    GB18030 (a superset of GBK, what Excel writes on a Chinese Windows)."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s KB; a year's arrangement is much smaller.")
            % {"size": MAX_FILE_BYTES // 1024}
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8)."))


def holiday_rows_text(days) -> str:
    """Days as the lines ``holiday_rows_parse`` reads, for editing (休 / 班)."""
    marks = {HolidayDay.Kind.HOLIDAY: "休", HolidayDay.Kind.WORKDAY: "班"}
    return "".join(f"{day.date.isoformat()},{marks[day.kind]},{day.name}\n" for day in days)


# --- Writes -----------------------------------------------------------------------------


def holiday_year_save(
    *,
    year: int,
    notice: str,
    days: Sequence[HolidayRow],
    by,
    new: bool = False,
) -> HolidayYear:
    """Enter a year's arrangement, replacing what was entered for it before (all its days).

    ``new``: refuse if the year is already entered (the "new year" page must not overwrite
    one by mistake; editing and importing replace on purpose).
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(
            _("Enter a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="year",
        )
    if not days:
        raise ServiceError(_("No day given: enter at least one holiday."), field="days")
    dates = [row.date for row in days]
    if len(set(dates)) != len(dates):
        raise ServiceError(_("A date is given twice."), field="days")
    outside = sorted(day for day in dates if day.year != year)
    if outside:
        raise ServiceError(
            _("%(date)s is not in %(year)s.") % {"date": outside[0].isoformat(), "year": year},
            field="days",
        )
    with transaction.atomic():
        existing = HolidayYear.objects.select_for_update().filter(year=year).first()
        if existing is not None and new:
            raise ServiceError(
                _("%(year)s is already entered: edit it on its page.") % {"year": year},
                field="year",
                code="exists",
            )
        entry = existing or HolidayYear(year=year)
        entry.notice = notice
        entry.entered_by = by
        entry.entered_at = clock.now()
        entry.full_clean()
        entry.save()
        entry.days.all().delete()
        new_days = [
            HolidayDay(holiday_year=entry, date=row.date, kind=row.kind, name=row.name)
            for row in days
        ]
        for day in new_days:
            day.clean_fields(exclude=["holiday_year"])  # kind and name; no query per day
        HolidayDay.objects.bulk_create(new_days)
    return entry


def holiday_year_delete(*, holiday_year: HolidayYear, by) -> None:
    """Forget an entered year: its days come from the package again (or Monday–Friday)."""
    with transaction.atomic():
        holiday_year.delete()
