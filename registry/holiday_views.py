"""The holiday years admins enter (registry.holidays): list, enter by lines, import a CSV
file, edit, delete. Park admins only, like the grid areas and users pages (others: 403)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from registry import clock
from registry.access import can_manage_users, require
from registry.forms import HolidayImportForm, HolidayYearForm
from registry.holidays import holiday_rows_text, holiday_year_delete, holiday_year_save
from registry.models import HolidayYear
from registry.workdays import PACKAGE_YEARS, WorkCalendar, years_to_check


def _admin_only(request) -> None:
    require(can_manage_users(request.user))


def _save(request, form, *, year: int, new: bool) -> bool:
    """Call the service with a valid form; its refusals go next to the field they name."""
    data = form.cleaned_data
    try:
        entry = holiday_year_save(
            year=year, notice=data["notice"], days=data["rows"], by=request.user, new=new
        )
    except ServiceError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return False
    messages.success(
        request,
        _("%(year)s saved: %(count)s days.") % {"year": entry.year, "count": len(data["rows"])},
    )
    return True


@require_GET
def holiday_list(request):
    _admin_only(request)
    calendar = WorkCalendar.load()
    years = HolidayYear.objects.select_related("entered_by").prefetch_related("days")
    return render(
        request,
        "registry/holidays.html",
        {
            "years": years,
            "package_first": PACKAGE_YEARS[0],
            "package_last": PACKAGE_YEARS[-1],
            "missing": calendar.missing_years(years_to_check(clock.today())),
        },
    )


@require_http_methods(["GET", "POST"])
def holiday_new(request):
    _admin_only(request)
    form = HolidayYearForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, year=form.cleaned_data["year"], new=True)
    ):
        return redirect("registry:holidays")
    return render(
        request,
        "registry/holiday_year_edit.html",
        {"form": form, "entry": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def holiday_import(request):
    _admin_only(request)
    form = HolidayImportForm(request.POST or None, request.FILES or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, year=form.cleaned_data["year"], new=False)
    ):
        return redirect("registry:holidays")
    return render(
        request,
        "registry/holiday_import.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def holiday_year(request, year: int):
    _admin_only(request)
    entry = get_object_or_404(HolidayYear, year=year)
    form = HolidayYearForm(
        request.POST or None,
        year=year,
        initial={"notice": entry.notice, "days": holiday_rows_text(entry.days.all())},
    )
    if request.method == "POST" and form.is_valid() and _save(request, form, year=year, new=False):
        return redirect("registry:holidays")
    return render(
        request,
        "registry/holiday_year_edit.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def holiday_year_delete_page(request, year: int):
    _admin_only(request)
    entry = get_object_or_404(HolidayYear, year=year)
    if request.method == "POST":
        holiday_year_delete(holiday_year=entry, by=request.user)
        messages.success(request, _("%(year)s deleted.") % {"year": year})
        return redirect("registry:holidays")
    return render(request, "registry/holiday_year_delete.html", {"entry": entry})
