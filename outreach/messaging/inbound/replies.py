"""Liaisons' replies (上行短信): recorded, matched to an enterprise, opt-outs taken note of.

Which enterprise a reply belongs to: the one whose *current* liaison has the number. One
person is often the liaison of several enterprises (an accountant, a group's office); the
reply then most likely answers the last SMS we sent to that number, so it goes to the
enterprise of that message, else to the first of them (lowest id). ``matches`` keeps how many
there were, and the reply list says so. A number no current liaison has is kept unmatched:
staff see it on the reply list (a former liaison writing "I have left" is worth reading).

``TD``, ``R`` and ``退订`` (whatever the case or width, with spaces or a full stop around them)
opt the number out (``SmsOptOut``): from then on greeting and care campaigns leave it out
(that exclusion is the campaign's, not ours). Notices and the self-service code still go out.
A later reply of any other text does not opt the number back in; staff remove an opt-out on
the liaison's request (``sms_optout_remove``), and the removal is recorded.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging.inbound.models import InboundSms, SmsOptOutRemoval
from outreach.messaging.inbound.payloads import Reply
from outreach.messaging.models import Channel, OutboxMessage, SmsOptOut
from registry import clock
from registry.models import Liaison

OPT_OUT_WORDS = {"td": "TD", "r": "R", "退订": "退订"}
# What may surround the keyword: spaces and punctuation, half- or full-width (after NFKC
# full-width letters and most punctuation are half-width; 。and 、 stay as they are).
_AROUND = " \t\r\n\u3000.。,，、!！?？~～;；:：'\"“”‘’()（）[]【】"
_CLOCK_SKEW = datetime.timedelta(minutes=5)


def opt_out_keyword(text: str) -> str:
    """ "TD", "R" or "退订" when the reply is one of them, else ""."""
    normalized = unicodedata.normalize("NFKC", text or "").strip(_AROUND).casefold()
    return OPT_OUT_WORDS.get(normalized, "")


@dataclass
class RepliesResult:
    recorded: int = 0
    repeated: int = 0
    opted_out: int = 0


def _enterprises_by_mobile(mobiles: set[str]) -> dict[str, list[tuple[int, int]]]:
    """number → [(enterprise id, liaison id)] of the current liaisons with that number."""
    found: dict[str, list[tuple[int, int]]] = {}
    rows = (
        Liaison.objects.filter(ended_on__isnull=True, mobile__in=mobiles)
        .order_by("enterprise_id", "pk")
        .values_list("mobile", "enterprise_id", "pk")
    )
    for mobile, enterprise_id, liaison_id in rows:
        found.setdefault(mobile, []).append((enterprise_id, liaison_id))
    return found


def _last_sms_enterprise(mobiles: set[str]) -> dict[str, int]:
    """number → the enterprise of the last SMS sent to it (one query, DISTINCT ON)."""
    if not mobiles:
        return {}
    rows = (
        OutboxMessage.objects.filter(channel=Channel.SMS, to__in=mobiles, sent_at__isnull=False)
        .order_by("to", "-sent_at", "-pk")
        .distinct("to")
        .values_list("to", "enterprise_id")
    )
    return dict(rows)


def replies_record(*, provider: str, replies: list[Reply]) -> RepliesResult:
    """Record a push of replies, all or nothing; a reply already recorded (the provider
    repeating its push) is skipped."""
    now = clock.now()
    result = RepliesResult()
    with transaction.atomic():
        known = set(
            InboundSms.objects.filter(
                provider=provider, provider_ref__in={r.ref for r in replies}
            ).values_list("provider_ref", flat=True)
        )
        fresh: dict[str, Reply] = {}
        for reply in replies:
            if reply.ref in known or reply.ref in fresh:
                result.repeated += 1
            else:
                fresh[reply.ref] = reply
        mobiles = {r.mobile for r in fresh.values()}
        current = _enterprises_by_mobile(mobiles)
        last_sent = _last_sms_enterprise({m for m, found in current.items() if len(found) > 1})
        rows, opt_outs = [], {}
        for reply in fresh.values():
            candidates = current.get(reply.mobile, [])
            chosen = candidates[0] if candidates else (None, None)
            preferred = last_sent.get(reply.mobile)
            for enterprise_id, liaison_id in candidates:
                if enterprise_id == preferred:
                    chosen = (enterprise_id, liaison_id)
            at = reply.at if reply.at and reply.at <= now + _CLOCK_SKEW else now
            keyword = opt_out_keyword(reply.text)
            if keyword and reply.mobile not in opt_outs:
                opt_outs[reply.mobile] = SmsOptOut(
                    mobile=reply.mobile, keyword=keyword, created_at=at
                )
            rows.append(
                InboundSms(
                    provider=provider,
                    provider_ref=reply.ref,
                    mobile=reply.mobile,
                    text=reply.text,
                    received_at=at,
                    enterprise_id=chosen[0],
                    liaison_id=chosen[1],
                    matches=min(len(candidates), 32767),
                    opted_out=bool(keyword),
                )
            )
        # ignore_conflicts: the same push arriving twice at once records it once.
        InboundSms.objects.bulk_create(rows, ignore_conflicts=True)
        result.recorded = len(rows)
        if opt_outs:
            already = set(
                SmsOptOut.objects.filter(mobile__in=opt_outs).values_list("mobile", flat=True)
            )
            # An opted-out number stays opted out: the first opt-out's keyword and time stand.
            SmsOptOut.objects.bulk_create(
                [o for m, o in opt_outs.items() if m not in already], ignore_conflicts=True
            )
            result.opted_out = len(set(opt_outs) - already)
    return result


def sms_optout_remove(*, optout: SmsOptOut, by, reason: str) -> SmsOptOutRemoval:
    """Staff opt a number back in on the liaison's request; who, when and why are kept."""
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ServiceError(
            _("Say why the opt-out is removed (e.g. the liaison asked on the phone)."),
            field="reason",
        )
    if len(reason) > 200:
        raise ServiceError(_("At most %(max)d characters.") % {"max": 200}, field="reason")
    with transaction.atomic():
        locked = SmsOptOut.objects.select_for_update().filter(pk=optout.pk).first()
        if locked is None:
            raise ServiceError(_("This opt-out was already removed."), field="optout")
        removal = SmsOptOutRemoval.objects.create(
            mobile=locked.mobile,
            keyword=locked.keyword,
            opted_out_at=locked.created_at,
            removed_at=clock.now(),
            removed_by=by,
            reason=reason,
        )
        locked.delete()
    return removal
