"""The recognition page: a year's proposal with every liaison's reasons (mobiles masked for
everyone: the page needs no number), the staff button that proposes, the admin's
confirmation, and the certificates as PDF."""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from outreach.recognition import access, rules
from outreach.recognition.certificate import certificates_pdf
from outreach.recognition.selectors import confirmed_entries, recognition_years, year_entries
from outreach.recognition.services import last_year, recognition_confirm, recognition_propose
from registry.access import require


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _back(year: int):
    return redirect(f"{reverse('outreach:recognition')}?year={year}")


@require_GET
def recognition_page(request):
    require(access.can_read(request.user))
    years = list(recognition_years())
    default = years[0].year if years else last_year()
    year = _year(request.GET.get("year"), default)
    round_ = next((r for r in years if r.year == year), None)
    entries = list(year_entries(year=year)) if round_ else []
    rows = [
        {
            "entry": entry,
            "mobile": entry.liaison.masked_mobile,
            "reasons": [rules.REASONS[code] for code in entry.reasons if code in rules.REASONS],
        }
        for entry in entries
    ]
    return render(
        request,
        "outreach/recognition.html",
        {
            "year": year,
            "years": years,
            "round": round_,
            "rows": rows,
            "proposed_count": sum(1 for e in entries if e.proposed),
            "can_propose": access.can_propose(request.user),
            "can_confirm": access.can_confirm(request.user),
            "can_print": access.can_print(request.user),
        },
    )


@require_POST
def recognition_propose_view(request):
    require(access.can_propose(request.user))
    year = _year(request.POST.get("year"), last_year())
    try:
        recognition_propose(year=year, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The list of %(year)s was proposed.") % {"year": year})
    return _back(year)


@require_POST
def recognition_confirm_view(request, year: int):
    require(access.can_confirm(request.user))
    ids = []
    for value in request.POST.getlist("liaison"):
        if not value.isdigit():
            messages.error(request, _("Only proposed liaisons can be confirmed."))
            return _back(year)
        ids.append(int(value))
    try:
        thanked = recognition_confirm(year=year, liaison_ids=ids, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The list of %(year)s is confirmed; %(count)s thank-you SMS are on their way.")
            % {"year": year, "count": thanked},
        )
    return _back(year)


def _pdf(request, entries, filename: str):
    try:
        pdf = certificates_pdf(entries)
    except ImproperlyConfigured as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def recognition_certificates(request, year: int):
    """All the year's certificates in one PDF, for printing."""
    require(access.can_print(request.user))
    entries = list(confirmed_entries(year=year))
    if not entries:
        messages.error(request, _("No confirmed liaisons for %(year)s yet.") % {"year": year})
        return _back(year)
    return _pdf(request, entries, f"certificates-{year}.pdf")


@require_GET
def recognition_certificate(request, year: int, liaison_id: int):
    require(access.can_print(request.user))
    entries = list(confirmed_entries(year=year).filter(liaison_id=liaison_id))
    if not entries:
        raise Http404
    return _pdf(request, entries, f"certificate-{year}-{liaison_id}.pdf")
