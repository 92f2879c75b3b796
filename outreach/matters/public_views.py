"""The requester's pages, without an account:

- 回访: ``GET /r/<token>/`` changes nothing (chat apps open every link they see): it keeps
  the token's hash in the session and answers 303 to ``/r/``, so the token leaves the address
  bar and every Referer at once, as the personal link does. ``/r/`` shows the answer and three
  buttons (满意 / 基本满意 / 不满意); one tap records the rating and spends the link.
- "我有问题 / 需要帮助" (``/s/ask/``): the liaison, on their personal link's unlocked page,
  writes a question; the matter is taken in already identified by the link and its code.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.defaults import SELF_SERVICE_CATEGORY
from outreach.matters.forms import AskForm
from outreach.matters.models import Matter, MatterCategory
from outreach.matters.services.answer import answer_email_address
from outreach.selfservice.ratelimit import LimiterUnavailable, limited
from outreach.selfservice.services import LinkInvalid, LinkUnknown
from outreach.selfservice.tokens import token_hash
from outreach.selfservice.views import session_link, unusable_page
from registry.masking import mask_free_text

SESSION_KEY = "matter_feedback"
SESSION_SECONDS = 60 * 60


def _private(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except LimiterUnavailable:
            response = unusable_page(request, "unavailable", 503)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def _invalid(request, reason: str, status: int):
    return render(
        request, "outreach/matters/feedback_unusable.html", {"reason": reason}, status=status
    )


@login_not_required
@require_http_methods(["GET"])
@_private
def feedback_landing(request, token):
    try:
        services.matter_feedback_resolve(token)
    except services.FeedbackLinkInvalid as invalid:
        if invalid.reason == "unknown" and limited(request, "unknown"):
            return unusable_page(request, "too_many", 429)
        return _invalid(request, invalid.reason, 404 if invalid.reason == "unknown" else 410)
    request.session[SESSION_KEY] = token_hash(token)
    if not request.user.is_authenticated:
        request.session.set_expiry(SESSION_SECONDS)
    return HttpResponseRedirect(reverse("matter_feedback:rate"), status=303)


@login_not_required
@require_http_methods(["GET", "POST"])
@_private
def feedback_page(request):
    hashed = request.session.get(SESSION_KEY)
    matter = (
        Matter.objects.filter(feedback_token_hash=hashed).select_related("enterprise").first()
        if isinstance(hashed, str) and hashed
        else None
    )
    if matter is None:
        return _invalid(request, "used", 410)
    try:
        # The same checks as the landing (expiry), by the stored hash.
        services.matter_feedback_resolve_hash(hashed)
    except services.FeedbackLinkInvalid as invalid:
        return _invalid(request, invalid.reason, 410)
    error = ""
    if request.method == "POST":
        try:
            matter = services.matter_rate(
                matter=matter,
                satisfaction=request.POST.get("satisfaction", ""),
                comment=request.POST.get("comment", ""),
            )
        except services.MatterConflict:
            return _invalid(request, "used", 410)
        except ServiceError as refused:
            error = refused.message
        else:
            request.session.pop(SESSION_KEY, None)
            return render(request, "outreach/matters/feedback_done.html", {"matter": matter})
    return render(
        request,
        "outreach/matters/feedback.html",
        {
            "matter": matter,
            "answer": mask_free_text(matter.answer),
            "next_step": mask_free_text(matter.next_step),
            "choices": Matter.Satisfaction.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@_private
def ask(request):
    """The liaison's question from their unlocked personal link."""
    try:
        link = session_link(request)
    except LinkUnknown:
        return unusable_page(request, "no_session", 404)
    except LinkInvalid as invalid:
        return unusable_page(request, invalid.reason, 410)
    form = AskForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        category = (
            MatterCategory.objects.filter(name=SELF_SERVICE_CATEGORY, parent=None).first()
            or MatterCategory.objects.filter(active=True).order_by("position", "pk").first()
        )
        try:
            matter, _created = services.matter_from_liaison(
                category=category,
                description=form.cleaned_data["description"],
                enterprise=link.enterprise,
                liaison=link.liaison,
                requester_email=form.cleaned_data["requester_email"],
                attachments=form.cleaned_data["attachments"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return render(
                request,
                "outreach/matters/ask_done.html",
                {
                    "matter": matter,
                    "by_email": bool(
                        answer_email_address(
                            channel=matter.channel,
                            liaison=matter.liaison,
                            phone=matter.requester_phone,
                            email=matter.requester_email,
                        )
                    ),
                    "attachments": matter.attachments.count(),
                },
            )
    return render(
        request,
        "outreach/matters/ask.html",
        {"form": form, "enterprise_name": link.enterprise.name},
        status=400 if form.errors else 200,
    )
