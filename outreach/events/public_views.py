"""The liaison's open invitations, after the code of their personal link (the same session
as the self-service form and /s/ask/): they answer 参加 / 不参加 / 派同事参加."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from outreach.events.models import EventInvitation
from outreach.events.selectors import open_invitations
from outreach.events.services import invitation_answer
from outreach.selfservice.services import LinkInvalid, LinkUnknown
from outreach.selfservice.views import session_link, unusable_page
from registry import clock
from registry.ids import parse_id


@login_not_required
@require_http_methods(["GET", "POST"])
def invitations_page(request):
    try:
        link = session_link(request)
    except LinkUnknown:
        return unusable_page(request, "no_session", 404)
    except LinkInvalid as invalid:
        return unusable_page(request, invalid.reason, 410)
    now = clock.now()
    invitations = open_invitations(liaison_id=link.liaison_id, now=now)
    error, error_for = "", None
    if request.method == "POST":
        # Only the liaison's own open invitations: another id is "not found", not a 500.
        invitation = invitations.filter(pk=parse_id(request.POST.get("invitation", ""))).first()
        if invitation is None:
            error = _("This invitation is no longer open.")
        else:
            try:
                invitation_answer(
                    invitation=invitation,
                    answer=request.POST.get("answer", ""),
                    delegate_name=request.POST.get("delegate_name", "")[:50],
                    now=now,
                )
            except ServiceError as refused:
                error, error_for = refused.message, invitation.pk
            else:
                return redirect("selfservice:events")
    response = render(
        request,
        "outreach/events/invitations.html",
        {
            "invitations": invitations,
            "answers": EventInvitation.Answer.choices,
            "error": error,
            "error_for": error_for,
        },
        status=400 if error else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
