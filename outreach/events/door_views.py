"""The check-in page a liaison's phone opens from the QR at the door (``/s/checkin/<code>/``,
no account). They identify themselves by their open personal link (this browser unlocked
one) or by a code to their mobile, as self-service does; are checked in; then confirm their
details on the same page (self-service's own confirmation). Someone with no record
registers as a walk-in. Every page is ``no-store`` with no Referer to other sites, like
self-service's; the rate limits are self-service's."""

from __future__ import annotations

import hmac
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from core.errors import ServiceError
from outreach.events.door import (
    CheckinClosed,
    checkin_code_send,
    checkin_event,
    door_mobile,
    event_checkin,
    walk_in_register,
)
from outreach.events.door_models import EventAttendance
from outreach.events.models import Event
from outreach.selfservice.forms import NoticeForm
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.notice import data_use_notice
from outreach.selfservice.ratelimit import LINK_LIMITS, WINDOW, LimiterUnavailable, limited
from outreach.selfservice.services import (
    CodeRefused,
    LinkInvalid,
    selfservice_code_check,
    selfservice_details_confirm,
)
from outreach.selfservice.services.codes import CODE_TRIES
from outreach.selfservice.views import (
    RETRY_AFTER_SECONDS,
    SESSION_KEY,
    UNLOCKED_SECONDS,
    VISIT_DONE_KEY,
    VISIT_KEY,
    session_link,
    unusable_page,
)
from registry import clock
from registry.caching import CACHE_ERRORS
from registry.masking import masked

# The code sent at the door: for which event, which link (None: no code was sent, the page
# says the same), the tries left of a code that went nowhere, the number masked.
PENDING_KEY = "checkin_pending"
# The check-in just made in this browser: the same page then asks to confirm the details.
DONE_KEY = "checkin_done"


def _door(view):
    @wraps(view)
    def wrapper(request, code):
        try:
            response = view(request, code)
        except LimiterUnavailable:
            response = unusable_page(request, "unavailable", 503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def _closed(request, message: str, status: int):
    return render(
        request, "outreach/events/checkin_closed.html", {"message": message}, status=status
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@_door
def checkin_page(request, code):
    now = clock.now()
    try:
        event = checkin_event(code, now=now)
    except Event.DoesNotExist:
        if limited(request, "unknown"):
            return unusable_page(request, "too_many", 429)
        return _closed(request, _("This check-in code is not valid."), 404)
    except CheckinClosed as closed:
        return _closed(request, closed.message, 410)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    handler = _ACTIONS.get(action)
    if handler is not None:
        return handler(request, event, code)
    return _page(request, event, walk_in="walk_in" in request.GET)


def _again(code: str, query: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("selfservice:checkin", args=[code]) + query, status=303)


def _open_link(request) -> SelfServiceLink | None:
    try:
        return session_link(request)
    except LinkInvalid:
        return None


def _done(request, event: Event) -> EventAttendance | None:
    done = request.session.get(DONE_KEY) or {}
    if done.get("event") != event.pk:
        return None
    return (
        EventAttendance.objects.select_related("liaison", "enterprise")
        .filter(pk=done.get("attendance"))
        .first()
    )


def _page(request, event: Event, *, status: int = 200, **extra):
    attendance = _done(request, event)
    link = _open_link(request)
    pending = request.session.get(PENDING_KEY) or {}
    if pending.get("event") != event.pk:
        pending = {}
    context = {
        "event": event,
        "attendance": attendance,
        # The confirmation is offered while the link that checked in is still open.
        "can_confirm": attendance is not None
        and link is not None
        and attendance.liaison_id == link.liaison_id,
        "known_link": link if attendance is None else None,
        "code_sent": bool(pending),
        "masked_mobile": pending.get("mobile", ""),
        "notice": data_use_notice(),
        "notice_version": data_use_notice().version,
        "confirm_form": NoticeForm(prefix="confirm"),
        "walk_in": False,
        "walk_in_values": {},
        "error": "",
        "errors": {},
        **extra,
    }
    return render(request, "outreach/events/checkin.html", context, status=status)


def _checked_in(request, event: Event, code: str, attendance: EventAttendance):
    request.session.pop(PENDING_KEY, None)
    request.session[DONE_KEY] = {"event": event.pk, "attendance": attendance.pk}
    return _again(code)


def _by_link(request, event: Event, code: str):
    link = _open_link(request)
    if link is None:
        return _page(request, event, status=400, error=_("Your session has ended."))
    try:
        attendance, _new = event_checkin(
            event=event, liaison=link.liaison, how=EventAttendance.How.LINK
        )
    except ServiceError as refused:
        return _page(request, event, status=400, error=refused.message)
    return _checked_in(request, event, code, attendance)


def _number_key(mobile: str) -> str:
    # The rate limits count per number whether or not it is on file (a limit per link would
    # tell the two apart); the number itself stays out of the session and the cache.
    return hmac.new(
        settings.SECRET_KEY.encode(), f"checkin:{mobile}".encode(), "sha256"
    ).hexdigest()


def _limited_number(request, what: str, number_key: str) -> bool:
    try:
        return is_ratelimited(
            request,
            group=f"checkin:{what}:number",
            key=lambda group, request: number_key,
            rate=f"{LINK_LIMITS[what]}/{WINDOW}",
            increment=True,
        )
    except CACHE_ERRORS as error:
        raise LimiterUnavailable() from error


def _send(request, event: Event, code: str):
    if limited(request, "send"):
        return unusable_page(request, "too_many", 429)
    try:
        # Only the number's form is judged here: nothing says whether it is on file.
        mobile = door_mobile(request.POST.get("mobile", ""))
    except ServiceError as refused:
        return _page(request, event, status=400, errors={"mobile": refused.message})
    number_key = _number_key(mobile)
    if _limited_number(request, "send", number_key):
        return unusable_page(request, "too_many", 429)
    try:
        link = checkin_code_send(event=event, mobile=mobile)
    except ServiceError as refused:  # the code's SMS cannot go out: say so
        return _page(request, event, status=503, error=refused.message)
    request.session[PENDING_KEY] = {
        "event": event.pk,
        "link": link.pk if link is not None else None,
        "number": number_key,
        "tries": CODE_TRIES,
        "mobile": masked("liaison", "mobile", mobile),
    }
    return _again(code)


def _check(request, event: Event, code: str):
    pending = request.session.get(PENDING_KEY) or {}
    if pending.get("event") != event.pk:
        return _page(request, event, status=400, error=_("Please ask for a code first."))
    link = (
        SelfServiceLink.objects.select_related("enterprise", "liaison")
        .filter(pk=pending.get("link"))
        .first()
        if pending.get("link")
        else None
    )
    if limited(request, "check") or _limited_number(request, "check", pending.get("number", "")):
        return unusable_page(request, "too_many", 429)
    if link is None:
        # No code went out: the answer is a wrong code's, tries and all, as if one had.
        return _nowhere(request, event, pending)
    try:
        link = selfservice_code_check(link=link, code=request.POST.get("code", "")[:20])
    except LinkInvalid as invalid:  # locked by this wrong code
        request.session.pop(PENDING_KEY, None)
        return unusable_page(request, invalid.reason, 410)
    except CodeRefused as refused:
        if refused.tries_left <= 0:
            request.session.pop(PENDING_KEY, None)
        return _page(request, event, status=400, errors={"code": refused.message})
    # The link is unlocked in this browser, as after self-service's own code: the details
    # form (/s/form/) and the invitations (/s/events/) open from here.
    request.session.cycle_key()
    request.session[SESSION_KEY] = link.pk
    request.session[VISIT_KEY] = link.pk
    request.session[VISIT_DONE_KEY] = []
    request.session.set_expiry(UNLOCKED_SECONDS)
    try:
        attendance, _new = event_checkin(
            event=event, liaison=link.liaison, how=EventAttendance.How.CODE
        )
    except ServiceError as refused:
        return _page(request, event, status=400, error=refused.message)
    return _checked_in(request, event, code, attendance)


def _nowhere(request, event: Event, pending: dict):
    tries = int(pending.get("tries", 0)) - 1
    if tries <= 0:
        request.session.pop(PENDING_KEY, None)
        message = _("Too many wrong codes. Please ask for a new one.")
    else:
        request.session[PENDING_KEY] = {**pending, "tries": tries}
        message = _("That code is not right.")
    return _page(request, event, status=400, errors={"code": message})


def _confirm(request, event: Event, code: str):
    attendance = _done(request, event)
    link = _open_link(request)
    if attendance is None or link is None or attendance.liaison_id != link.liaison_id:
        return _page(request, event, status=400, error=_("Your session has ended."))
    form = NoticeForm(request.POST, prefix="confirm")
    notice_version = data_use_notice().version
    if not form.is_valid() or form.cleaned_data["accept_notice"] != notice_version:
        return _page(
            request,
            event,
            status=400,
            errors={"accept_notice": _("Please read and accept how your details are used.")},
        )
    try:
        selfservice_details_confirm(link=link, notice_version=notice_version)
    except LinkInvalid as invalid:  # spent in another tab meanwhile
        request.session.pop(SESSION_KEY, None)
        return unusable_page(request, invalid.reason, 410)
    request.session.pop(SESSION_KEY, None)
    request.session.pop(DONE_KEY, None)
    return render(
        request, "outreach/events/checkin_done.html", {"event": event, "what": "confirmed"}
    )


def _walk_in(request, event: Event, code: str):
    values = {
        name: request.POST.get(name, "")[:200] for name in ("name", "mobile", "enterprise_name")
    }
    try:
        walk_in_register(event=event, **values)
    except ServiceError as refused:
        return _page(
            request,
            event,
            status=400,
            walk_in=True,
            walk_in_values=values,
            errors={refused.field or "walk_in": refused.message},
        )
    request.session.pop(PENDING_KEY, None)
    return render(request, "outreach/events/checkin_done.html", {"event": event, "what": "walk_in"})


_ACTIONS = {
    "link": _by_link,
    "send": _send,
    "check": _check,
    "confirm": _confirm,
    "walk_in": _walk_in,
}
