"""The annual report (企业信息公示暂行条例 art. 8): every enterprise files last year's report
with the registration authority between 1 January and 30 June. The one home of the dates
(which year is due, from when it is overdue, who is asked) for the enterprise list's flag and
filter here, outreach's annual-report campaigns and monitoring's overdue rule.

Not filed: no "filed" record for the due year (the list's filter, the campaigns' audience: a
reminder harms nobody). Overdue (the list's flag, the monitoring task): not filed after 30 June
by an enterprise that was in the registry before the due year ended. The registry knows no
founding date, and a park that starts using the portal is not to be told that every enterprise
missed a report it never recorded.
"""

import datetime

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import clock
from registry.listing import ListExtension
from registry.models import AnnualReport, Enterprise

FILTER = "annual_report"
NOT_FILED = "not_filed"
FILED = "filed"


FIRST_YEAR = 2013  # the regulation's first reports (for 2013), filed in 2014


def report_years(today: datetime.date) -> range:
    """The report years that may be recorded on ``today`` (staff, the API, the import)."""
    return range(FIRST_YEAR, today.year + 1)


def due_year(today: datetime.date) -> int:
    """The year whose report is being filed (or should have been) on ``today``."""
    return today.year - 1


def overdue(today: datetime.date) -> bool:
    """From 1 July, last year's report is late."""
    return today >= datetime.date(today.year, 7, 1)


def asked_before(year: int) -> datetime.datetime:
    """Enterprises in the registry before this moment are asked for ``year``'s report."""
    return clock.start_of_day(datetime.date(year + 1, 1, 1))


def _filed(year: int) -> Exists:
    return Exists(AnnualReport.objects.filter(enterprise=OuterRef("pk"), year=year, filed=True))


def non_filers(enterprises: QuerySet[Enterprise], today: datetime.date) -> QuerySet[Enterprise]:
    """Those of ``enterprises`` with no filed report for the due year."""
    return enterprises.filter(~_filed(due_year(today)))


def overdue_non_filers(
    enterprises: QuerySet[Enterprise], today: datetime.date
) -> QuerySet[Enterprise]:
    """From 1 July, the non-filers that were in the registry before the due year ended (the
    reference of monitoring's rule)."""
    if not overdue(today):
        return enterprises.none()
    return non_filers(enterprises, today).filter(created_at__lt=asked_before(due_year(today)))


def _filter(queryset: QuerySet[Enterprise], value: str) -> QuerySet[Enterprise]:
    today = clock.today()
    if value == NOT_FILED:
        return non_filers(queryset, today)
    return queryset.filter(_filed(due_year(today)))


def _annotate(queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    today = clock.today()
    year = due_year(today)
    if not overdue(today):
        return queryset.annotate(annual_report_overdue=Value(False, BooleanField()))
    late = Q(created_at__lt=asked_before(year)) & ~Q(_filed(year))
    return queryset.annotate(annual_report_overdue=late)


def _cell(enterprise: Enterprise) -> str:
    if getattr(enterprise, "annual_report_overdue", False):
        return format_html(
            '<span class="badge warning" data-testid="annual-report-overdue">{}</span>',
            _("Not filed by 30 June"),
        )
    return ""


COLUMN = ListExtension(
    name=FILTER,
    label=gettext_lazy("Annual report (last year)"),
    choices=[(NOT_FILED, gettext_lazy("Not filed")), (FILED, gettext_lazy("Filed"))],
    filter=_filter,
    cell=_cell,
    annotate=_annotate,
)


def annual_report_rows(enterprise: Enterprise, today: datetime.date, years: int = 3) -> list:
    """The enterprise page's rows: the last ``years`` report years, newest first, each
    (year, filed, overdue)."""
    filed = dict(enterprise.annual_reports.values_list("year", "filed"))
    first = due_year(today)
    return [
        (year, filed.get(year, False), year == first and overdue(today) and not filed.get(year))
        for year in range(first, first - years, -1)
    ]
