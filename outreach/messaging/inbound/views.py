"""The providers' pushes (no login, no session, no CSRF: a secret in the address) and the
pages of replies and opt-outs. Thin: parsing in ``payloads``, the writes in ``receipts`` and
``replies``.

A push is authenticated by ``SMS_CALLBACK_SECRET`` in its path, compared in constant time;
a wrong or unset secret answers 404, like any address that does not exist. Each address
that keeps sending wrong secrets is slowed down (django-ratelimit, ``BAD_SECRET_RATE``).
A push that is not what the provider sends answers 400 with a short reason and keeps
nothing; a recorded push answers the provider's own "received" (Alibaba
``{"code": 0, "msg": "接收成功"}``, Tencent ``{"result": 0, "errmsg": "OK"}``).
"""

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from core.errors import ServiceError
from outreach.messaging.inbound import access, payloads, selectors
from outreach.messaging.inbound.models import SmsProvider
from outreach.messaging.inbound.receipts import receipts_record
from outreach.messaging.inbound.replies import replies_record, sms_optout_remove
from outreach.messaging.models import SmsOptOut
from outreach.selfservice.ratelimit import address_key
from registry.access import require
from registry.caching import CACHE_ERRORS
from registry.masking import mask_free_text
from registry.normalize import mask_phone

logger = logging.getLogger(__name__)

BAD_SECRET_RATE = "20/15m"

_PARSERS = {
    (SmsProvider.ALIYUN, "report"): payloads.aliyun_receipts,
    (SmsProvider.ALIYUN, "reply"): payloads.aliyun_replies,
    (SmsProvider.TENCENT, "report"): payloads.tencent_receipts,
    (SmsProvider.TENCENT, "reply"): payloads.tencent_replies,
}


def _ok(provider: str) -> JsonResponse:
    if provider == SmsProvider.ALIYUN:
        return JsonResponse(
            {"code": 0, "msg": "接收成功"}, json_dumps_params={"ensure_ascii": False}
        )
    return JsonResponse({"result": 0, "errmsg": "OK"})


def _refused(provider: str, reason: str) -> JsonResponse:
    if provider == SmsProvider.ALIYUN:
        body = {"code": 400, "msg": reason}
    else:
        body = {"result": 400, "errmsg": reason}
    return JsonResponse(body, status=400)


def _bad_secrets_limited(request, *, increment: bool) -> bool:
    try:
        return is_ratelimited(
            request,
            group="sms-callback:bad-secret",
            key=address_key,
            rate=BAD_SECRET_RATE,
            increment=increment,
        )
    except CACHE_ERRORS:
        # The secret still guards the door; a cache outage must not lose receipts.
        return False


def _secret_matches(given: str) -> bool:
    expected = settings.SMS_CALLBACK_SECRET
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt
@login_not_required
@require_POST
def callback(request, provider: str, kind: str, secret: str):
    if (provider, kind) not in _PARSERS:
        raise Http404
    if _bad_secrets_limited(request, increment=False):
        return JsonResponse({"detail": "too many requests"}, status=429)
    if not _secret_matches(secret):
        if _bad_secrets_limited(request, increment=True):
            return JsonResponse({"detail": "too many requests"}, status=429)
        raise Http404
    try:
        data = json.loads(request.body.decode("utf-8"))
        items = _PARSERS[(provider, kind)](data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _refused(provider, "the body is not JSON")
    except payloads.PayloadError as error:
        return _refused(provider, str(error))
    if kind == "report":
        result = receipts_record(receipts=items)
        logger.info(
            "sms receipts from %s: %d delivered, %d failed contacts, %d undelivered, "
            "%d repeated, %d unknown",
            provider,
            result.delivered,
            result.failed_contacts,
            result.undelivered,
            result.repeated,
            len(result.unknown),
        )
    else:
        result = replies_record(provider=provider, replies=items)
        logger.info(
            "sms replies from %s: %d recorded, %d repeated, %d opted out",
            provider,
            result.recorded,
            result.repeated,
            result.opted_out,
        )
    return _ok(provider)


# --- Pages -------------------------------------------------------------------------------


@require_GET
def reply_list(request):
    require(access.can_read_replies(request.user))
    page = Paginator(selectors.reply_list(user=request.user), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/messaging/reply_list.html",
        {
            "page": page,
            # Numbers masked for every role, in the text too, as on the timeline.
            "rows": [
                (reply, mask_phone(reply.mobile), mask_free_text(reply.text))
                for reply in page.object_list
            ],
            "can_read_optouts": access.can_read_optouts(request.user),
        },
    )


@require_GET
def optout_list(request):
    require(access.can_read_optouts(request.user))
    page = Paginator(selectors.optout_list(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/messaging/optout_list.html",
        {
            "page": page,
            "rows": [(optout, mask_phone(optout.mobile)) for optout in page.object_list],
            "removals": [
                (removal, mask_phone(removal.mobile), mask_free_text(removal.reason))
                for removal in selectors.optout_removals()
            ],
            "can_remove": access.can_remove_optouts(request.user),
        },
    )


@require_POST
def optout_remove(request, pk):
    require(access.can_remove_optouts(request.user))
    optout = get_object_or_404(SmsOptOut, pk=pk)
    try:
        sms_optout_remove(optout=optout, by=request.user, reason=request.POST.get("reason", ""))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(mobile)s gets greeting and care messages again.")
            % {"mobile": mask_phone(optout.mobile)},
        )
    return redirect("messaging:optouts")
