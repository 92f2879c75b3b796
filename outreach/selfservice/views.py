"""The liaison's pages: no account, no login. Thin: the rules live in services.

``GET /s/<token>/`` changes nothing of ours (mail and chat apps open every link they see): it
only puts the link's id in the session as *pending* and answers 303 to ``/s/``, so the token
leaves the address bar, the browser history and every Referer at once. ``/s/`` shows the
enterprise's name and the masked mobile of the pending link; a POST there sends the code,
and a POST of the right code unlocks the link in the server-side session and redirects to
``/s/form/``. Every page is ``no-store`` and sends no Referer to other sites
(``same-origin``: with ``no-referrer`` Chromium sends ``Origin: null`` on the page's own form
posts, which Django's CSRF check rightly refuses).
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from outreach.messaging.models import Campaign
from outreach.selfservice.forms import CorrectForm, LeavingForm, NoticeForm
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.notice import data_use_notice
from outreach.selfservice.ratelimit import LimiterUnavailable, limited
from outreach.selfservice.selectors import agent_enterprises
from outreach.selfservice.services import (
    SELF_SERVICE_FIELDS,
    CodeRefused,
    LinkInvalid,
    LinkUnknown,
    MobileCodeRequired,
    link_check,
    selfservice_agent_link_open,
    selfservice_code_check,
    selfservice_code_send,
    selfservice_details_confirm,
    selfservice_details_correct,
    selfservice_leaving_report,
    selfservice_link_resolve,
    selfservice_mobile_code_send,
)
from outreach.selfservice.services.agents import visit_check
from registry import clock
from registry.masking import masked
from registry.models import EmergencyContact
from registry.normalize import normalize_mobile, optional

# The session holds one link at a time: opened (pending, until its code is entered) or
# unlocked (the form may be used, for UNLOCKED_SECONDS).
PENDING_KEY = "selfservice_pending"
PENDING_SECONDS = 60 * 60
SESSION_KEY = "selfservice_link"
UNLOCKED_SECONDS = 30 * 60
# An agent's visit (outreach.selfservice.services.agents): the link whose code was entered,
# and the enterprises answered since, so the pages list what is left.
VISIT_KEY = "selfservice_visit"
VISIT_DONE_KEY = "selfservice_visit_done"
# A cache (rate-limit) outage: the liaison is asked to come back in a few minutes.
RETRY_AFTER_SECONDS = 300


def _private(view):
    """No caching anywhere; the address of these pages (the token) never leaves as a Referer.
    An outage of the rate limiter's cache is a friendly 503, never a server error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except LimiterUnavailable:
            response = unusable_page(request, "unavailable", 503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def _limited(request, what: str, link: SelfServiceLink | None = None) -> bool:
    return limited(request, what, link_pk=link.pk if link is not None else None)


def unusable_page(request, reason: str, status: int):
    """The friendly page of a personal link that cannot be used; ``reason`` is a LinkInvalid
    reason or "no_session", "too_many", "unavailable". Also the matters' /s/ask/ page's."""
    return render(request, "outreach/selfservice/unusable.html", {"reason": reason}, status=status)


def _too_many(request):
    return unusable_page(request, "too_many", 429)


@login_not_required
@require_http_methods(["GET"])
@_private
def landing(request, token):
    """The address in the message: remember the link in the session, then leave this URL."""
    try:
        link = selfservice_link_resolve(token)
    except LinkUnknown:
        if _limited(request, "unknown"):
            return _too_many(request)
        return unusable_page(request, "unknown", 404)
    except LinkInvalid as invalid:
        return unusable_page(request, invalid.reason, 410)
    if request.session.get(SESSION_KEY) == link.pk:
        # Tapped again while unlocked: straight back to the form (or the invitations).
        return _see_other(_first_page(link))
    # A second link opened in this browser replaces the first, whatever its state: the
    # pages never name one enterprise while the form belongs to another.
    for key in (SESSION_KEY, VISIT_KEY, VISIT_DONE_KEY):
        request.session.pop(key, None)
    request.session[PENDING_KEY] = link.pk
    if not request.user.is_authenticated:
        # A liaison's browser (or a link scanner) needs it only until the code is entered;
        # a logged-in staff member trying a link keeps their own session's length.
        request.session.set_expiry(PENDING_SECONDS)
    return _see_other("selfservice:start")


def _first_page(link: SelfServiceLink) -> str:
    """Where the unlocked link opens: an event invitation's link at the liaison's
    invitations (/s/events/), every other at the details form."""
    if link.campaign_id is not None and (
        Campaign.objects.filter(pk=link.campaign_id, kind=Campaign.Kind.EVENT_INVITATION).exists()
    ):
        return "selfservice:events"
    return "selfservice:form"


def _see_other(route: str) -> HttpResponseRedirect:
    # 303: the browser follows with a GET and keeps no entry for the token's address.
    return HttpResponseRedirect(reverse(route), status=303)


def _pending_link(request) -> SelfServiceLink:
    pk = request.session.get(PENDING_KEY)
    link = (
        SelfServiceLink.objects.select_related("enterprise", "liaison").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if link is None:
        raise LinkUnknown()
    return link_check(link)


@login_not_required
@require_http_methods(["GET", "POST"])
@_private
def start(request):
    """The pending link's page: send the code, enter it."""
    try:
        link = _pending_link(request)
    except LinkUnknown:
        if request.method == "GET" and request.session.get(SESSION_KEY) is not None:
            # Back from the form (the browser's back button): the link is unlocked.
            return _see_other("selfservice:form")
        return unusable_page(request, "no_session", 404)
    except LinkInvalid as invalid:
        request.session.pop(PENDING_KEY, None)
        return unusable_page(request, invalid.reason, 410)
    context = {
        "enterprise_name": link.enterprise.name,
        "masked_mobile": masked("liaison", "mobile", link.liaison.mobile),
        "code_sent": False,
        "error": "",
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "send":
            if _limited(request, "send", link):
                return _too_many(request)
            try:
                selfservice_code_send(link=link)
            except LinkInvalid as invalid:  # expired or stopped since the page was opened
                request.session.pop(PENDING_KEY, None)
                return unusable_page(request, invalid.reason, 410)
            except ServiceError as error:  # the code's SMS cannot go out: say so
                context["error"] = error.message
                return render(request, "outreach/selfservice/landing.html", context, status=503)
            context["code_sent"] = True
        elif action == "check":
            if _limited(request, "check", link):
                return _too_many(request)
            try:
                selfservice_code_check(link=link, code=request.POST.get("code", ""))
            except LinkInvalid as invalid:  # locked by this wrong code
                request.session.pop(PENDING_KEY, None)
                return unusable_page(request, invalid.reason, 410)
            except CodeRefused as refused:
                context.update(code_sent=refused.tries_left > 0, error=refused.message)
                return render(request, "outreach/selfservice/landing.html", context, status=400)
            # A new session id for the unlocked link (cycle_key keeps the session's data).
            request.session.cycle_key()
            request.session.pop(PENDING_KEY, None)
            request.session[SESSION_KEY] = link.pk
            request.session[VISIT_KEY] = link.pk
            request.session[VISIT_DONE_KEY] = []
            # A short session: a phone left lying around does not stay unlocked for weeks.
            request.session.set_expiry(UNLOCKED_SECONDS)
            return redirect(_first_page(link))
    return render(request, "outreach/selfservice/landing.html", context)


def session_link(request) -> SelfServiceLink:
    """The link this browser unlocked with its code, checked again (LinkInvalid if it can no
    longer be used, LinkUnknown if none is unlocked). Also read by the matters' /s/ask/."""
    pk = request.session.get(SESSION_KEY)
    link = (
        SelfServiceLink.objects.select_related("enterprise", "liaison").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if link is None or link.unlocked_at is None:
        raise LinkUnknown()
    return link_check(link)


def _correct_initial(link: SelfServiceLink) -> dict:
    liaison = link.liaison
    contact = EmergencyContact.objects.filter(enterprise=link.enterprise).first()
    initial = {name: getattr(liaison, name) for name in SELF_SERVICE_FIELDS if name != "id_number"}
    if contact is not None:
        initial.update(
            emergency_name=contact.name,
            emergency_relation=contact.relation,
            emergency_phone=contact.phone,
        )
    return initial


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@login_not_required
@require_http_methods(["GET", "POST"])
@_private
def form_page(request):
    try:
        link = session_link(request)
    except LinkUnknown:
        return unusable_page(request, "no_session", 404)
    except LinkInvalid as invalid:
        request.session.pop(SESSION_KEY, None)
        return unusable_page(request, invalid.reason, 410)
    action = request.POST.get("action") if request.method == "POST" else None
    # "Send a new code" to a new mobile: the correction again, without a code.
    resend = action == "correct_resend"
    if resend:
        action = "correct"
    forms = _forms(request, link, action)
    mobile_code_sent = ""
    if action in forms and forms[action].is_valid():
        answered = _answer(request, link, action, forms[action], resend=resend)
        if isinstance(answered, HttpResponse):
            return answered
        mobile_code_sent = answered
    notice = data_use_notice()
    if not mobile_code_sent:
        # The code box only once a code went to a new number.
        forms["correct"].fields.pop("mobile_code")
    context = {
        "link": link,
        "liaison": link.liaison,
        "notice": notice,
        "notice_version": notice.version,
        "forms": forms,
        "open_section": action,
        "mobile_code_sent": mobile_code_sent,
        "masked_mobile_on_file": masked("liaison", "mobile", link.liaison.mobile),
        "agent_enterprises": _agent_enterprises(request, current=link.enterprise_id),
    }
    status = 400 if action and not (mobile_code_sent and not forms[action].errors) else 200
    return render(request, "outreach/selfservice/form.html", context, status=status)


def _forms(request, link: SelfServiceLink, action: str | None) -> dict:
    """The page's three forms; the one of ``action`` bound to the POST."""
    return {
        "confirm": NoticeForm(request.POST if action == "confirm" else None, prefix="confirm"),
        "correct": CorrectForm(
            request.POST if action == "correct" else None,
            prefix="correct",
            initial=_correct_initial(link),
        ),
        "leaving": LeavingForm(request.POST if action == "leaving" else None, prefix="leaving"),
    }


def _answer(request, link: SelfServiceLink, action: str, form, *, resend: bool):
    """Hand the liaison's valid ``form`` to its service. Returns the page to show instead of
    the form (done, too many tries, the link spent meanwhile), or the masked number a code
    to a new mobile went to ("" if none); a refusal lands on ``form`` as its errors."""
    data = form.cleaned_data
    if resend:
        data["mobile_code"] = ""
    if action == "correct" and data.get("mobile_code") and _limited(request, "check", link):
        return _too_many(request)
    try:
        done = _submit(link, action, data)
    except LinkInvalid as invalid:  # spent in another tab meanwhile
        request.session.pop(SESSION_KEY, None)
        return unusable_page(request, invalid.reason, 410)
    except MobileCodeRequired as required:
        # A new mobile: its code goes to the new number; the form comes back with
        # everything typed and a box for the code. Nothing is saved yet.
        if _limited(request, "send", link):
            return _too_many(request)
        try:
            return selfservice_mobile_code_send(link=link, mobile=required.mobile)
        except LinkInvalid as invalid:  # expired or stopped since the page was opened
            request.session.pop(SESSION_KEY, None)
            return unusable_page(request, invalid.reason, 410)
        except ServiceError as error:  # the code's SMS cannot go out: say so
            form.add_error(None, error.message)
    except CodeRefused as refused:
        form.add_error("mobile_code", refused.message)
        return masked("liaison", "mobile", optional(normalize_mobile)(data["mobile"]))
    except ValidationError as error:
        _add_errors(form, error)
    except ServiceError as error:
        form.add_error(None, error.message)
    else:
        request.session.pop(SESSION_KEY, None)
        if request.session.get(VISIT_KEY) is not None:
            request.session[VISIT_DONE_KEY] = [
                *request.session.get(VISIT_DONE_KEY, []),
                link.enterprise_id,
            ]
        left = [row for row in _agent_enterprises(request, current=None) if not row["done"]]
        return render(
            request,
            "outreach/selfservice/done.html",
            {"what": action, "agent_enterprises": left, **done},
        )
    return ""


def _submit(link: SelfServiceLink, action: str, data: dict) -> dict:
    """Hand the valid form to its service; what the confirmation page shows."""
    notice_version = data_use_notice().version
    if data["accept_notice"] != notice_version:
        raise ValidationError(
            {"accept_notice": _("Please read and accept how your details are used.")}
        )
    if action == "confirm":
        selfservice_details_confirm(link=link, notice_version=notice_version)
        return {}
    if action == "correct":
        changed = selfservice_details_correct(
            link=link,
            notice_version=notice_version,
            liaison_details={name: data.get(name, "") for name in SELF_SERVICE_FIELDS},
            emergency_contact={
                "name": data["emergency_name"],
                "relation": data["emergency_relation"],
                "phone": data["emergency_phone"],
            },
            id_number_consent=data["id_number_consent"],
            mobile_code=data.get("mobile_code", ""),
        )
        return {"changed": changed}
    task = selfservice_leaving_report(
        link=link,
        notice_version=notice_version,
        last_day=data["last_day"],
        successor_name=data["successor_name"],
        successor_mobile=data["successor_mobile"],
    )
    return {"task": task, "successor": data["successor_name"]}


# --- An agent's other enterprises, in the same visit ----------------------------------------


def _visit(request) -> SelfServiceLink | None:
    """The link this browser entered the code of, while its visit holds; else None."""
    pk = request.session.get(VISIT_KEY)
    visit = SelfServiceLink.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if visit is None:
        return None
    try:
        visit_check(visit, now=clock.now())
    except LinkUnknown:
        return None
    return visit


def _agent_enterprises(request, *, current: int | None) -> list[dict]:
    """The visit's enterprises other than ``current``, each with whether it was answered in
    this visit; empty unless the liaison serves more than one."""
    visit = _visit(request)
    enterprises = agent_enterprises(visit) if visit is not None else []
    if len(enterprises) < 2:
        return []
    done = set(request.session.get(VISIT_DONE_KEY, []))
    return [
        {"enterprise": enterprise, "done": enterprise.pk in done}
        for enterprise in enterprises
        if enterprise.pk != current
    ]


@login_not_required
@require_http_methods(["POST"])
@_private
def other_enterprise(request):
    """Go on with another enterprise of the same liaison: its own link, already unlocked."""
    visit = _visit(request)
    if visit is None:
        return unusable_page(request, "no_session", 404)
    try:
        link = selfservice_agent_link_open(
            visit=visit, enterprise_id=int(request.POST.get("enterprise", "")[:18] or 0)
        )
    except (LinkUnknown, ValueError):
        return unusable_page(request, "unknown", 404)
    request.session[SESSION_KEY] = link.pk
    return _see_other("selfservice:form")
