"""Pages for the grid worker in the field, on a phone: the call's one-tap outcome, today's
round grouped by building or street, its printable visit sheet, a visit's photo. Thin: parse,
call a selector or a service, render. Scope as everywhere: outside the user's grids is a 404.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.addresses import client_address
from core.errors import ServiceError
from outreach import services
from outreach.models import ContactAttempt, VisitEvidence
from outreach.rounds import SCOPES, my_round
from outreach.selectors import can_see_visit_evidence, can_work_tasks, visible_attempts
from outreach.visit_sheet import visit_sheet_pdf
from registry import clock
from registry.access import require
from registry.calls import protected_phone
from registry.ids import parse_id
from registry.masking import may_unmask
from registry.models import Enterprise, Liaison
from registry.selectors import enterprise_detail
from registry.services import sensitive_print_record

# What a call can end in, as one tap each (a message's outcomes are not a call's).
CALL_OUTCOMES = [
    ContactAttempt.Outcome.REACHED,
    ContactAttempt.Outcome.NO_ANSWER,
    ContactAttempt.Outcome.BUSY,
    ContactAttempt.Outcome.NOT_IN_SERVICE,
    ContactAttempt.Outcome.WRONG_PERSON,
    ContactAttempt.Outcome.LEFT,
    ContactAttempt.Outcome.REFUSED,
]


def call_outcome_url(instance, field: str) -> str | None:
    """Where a call to this number logs its outcome (registry.calls): a liaison's numbers
    and the enterprise's own; other people's (emergency contacts, buildings' people, a
    requester) are not a contact with the liaison."""
    if isinstance(instance, Liaison):
        url = reverse("outreach:call_outcome", args=[instance.enterprise.uscc])
        return f"{url}?liaison={instance.pk}"
    if isinstance(instance, Enterprise):
        return reverse("outreach:call_outcome", args=[instance.uscc])
    return None


@require_http_methods(["GET", "POST"])
def call_outcome(request, uscc):
    """GET: the outcome buttons shown as the number is tapped; POST: one tap logs the call
    (a phone attempt now, about the liaison called), with all an attempt means."""
    require(can_work_tasks(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    source = request.POST if request.method == "POST" else request.GET
    liaison = None
    if source.get("liaison"):
        liaison = enterprise.liaisons.filter(pk=parse_id(source.get("liaison"))).first()
        if liaison is None:
            raise Http404
    context = {"enterprise": enterprise, "liaison": liaison, "outcomes": CALL_OUTCOMES}
    if request.method == "GET":
        return render(request, "outreach/_call_outcome.html", context)
    outcome = request.POST.get("outcome", "")
    if outcome not in CALL_OUTCOMES:
        return HttpResponse(_("Choose what came of the call."), status=400)
    try:
        attempt = services.contact_attempt_record(
            enterprise=enterprise,
            channel=ContactAttempt.Channel.PHONE,
            outcome=outcome,
            by=request.user,
            liaison=liaison,
        )
    except ServiceError as error:
        return HttpResponse(error.message, status=400)
    return render(request, "outreach/_call_outcome.html", {**context, "attempt": attempt})


def _scope(request) -> str:
    scope = request.GET.get("scope", "today")
    return scope if scope in SCOPES else "today"


@require_GET
def round_page(request):
    """今日走访: the user's own tasks due by today (or this week), one stop per enterprise,
    grouped by building or street; each stop with its call button and "log a visit"."""
    require(can_work_tasks(request.user))
    today = clock.today()
    round_ = my_round(user=request.user, today=today, scope=_scope(request))
    for group in round_.groups:
        for stop in group.stops:
            stop.mobile = protected_phone(stop.liaison, "mobile", request.user)
    return render(
        request,
        "outreach/round.html",
        {
            "round": round_,
            "today": today,
            "can_print_full": may_unmask(request.user, "liaison", "mobile"),
        },
    )


@require_GET
def round_sheet(request):
    """The round as a printable PDF. ``numbers=full`` prints the liaisons' mobiles whole for
    a user who may see them, logged as a print of each; otherwise masked."""
    require(can_work_tasks(request.user))
    now = clock.now()
    round_ = my_round(user=request.user, today=clock.today(now), scope=_scope(request))
    full = request.GET.get("numbers") == "full"
    if full:
        liaisons = [
            stop.liaison
            for group in round_.groups
            for stop in group.stops
            if stop.liaison is not None and stop.liaison.mobile
        ]
        sensitive_print_record(
            by=request.user,
            liaisons=liaisons,
            fields=["liaison.mobile"],
            detail=_("Visit sheet"),
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    pdf = visit_sheet_pdf(
        round_=round_,
        worker=request.user.get_full_name() or request.user.get_username(),
        printed_at=clock.local(now),
        full_numbers=full,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    day = clock.today(now).isoformat()
    response["Content-Disposition"] = f'inline; filename="visit-sheet-{day}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def visit_photo(request, pk):
    """A visit's photo, for whoever may see the enterprise and the visit's evidence (else
    404): shown inline (it was checked to be a JPEG or PNG), never sniffed as anything else."""
    if not can_see_visit_evidence(request.user):
        raise Http404
    evidence = get_object_or_404(
        VisitEvidence.objects.filter(attempt__in=visible_attempts(request.user).values("pk")),
        pk=pk,
    )
    if not evidence.photo:
        raise Http404
    response = FileResponse(
        evidence.photo.open("rb"),
        as_attachment=False,
        filename=evidence.photo_name or f"visit-{pk}.jpg",
        content_type=evidence.photo_type or "image/jpeg",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
