"""Phone numbers as a number to tap (``tel:``), and what happens after the call.

A number becomes a ``tel:`` link only where the reader sees it whole: after the logged "show"
(registry.services.sensitive_value_reveal) or where it is not masked at all (a company's
400/800 line). A masked number never does: the portal's "call" button goes through the
logged show, then dials.

Right after a call to someone the portal keeps reachable (a liaison, an enterprise's phones)
the caller is offered a one-tap outcome that logs the attempt. Logging attempts is outreach's;
it tells the registry where its form is with ``register_call_outcome``, so the registry never
imports it.
"""

import re
from collections.abc import Callable

from django.utils.html import format_html
from django.utils.safestring import SafeString

from registry import masking
from registry.normalize import mask_phone

# (record instance, its field) -> the URL of the outcome form, or None (no outcome to log).
CallOutcome = Callable[[object, str], str | None]
_outcomes: list[CallOutcome] = []

_SERVICE_LINE = re.compile(r"[48]00-[0-9]{3}-[0-9]{4}")


def register_call_outcome(outcome: CallOutcome) -> None:
    if outcome not in _outcomes:
        _outcomes.append(outcome)


def call_outcome_url(instance, field: str) -> str:
    for outcome in _outcomes:
        if url := outcome(instance, field):
            return url
    return ""


def is_phone(kind: str, field: str) -> bool:
    """A protected field that holds a phone number (masked as one)."""
    entry = masking.PROTECTED.get(kind, {}).get(field)
    return entry is not None and entry[1] is mask_phone


def tel_href(number: str) -> str:
    """``tel:`` for a number as the registry stores it: ``13812345678``, ``021-65551234``,
    ``021-65551234-801`` (an extension: dialled after a pause), ``400-820-8820``."""
    number = (number or "").strip()
    if _SERVICE_LINE.fullmatch(number):
        return "tel:" + number.replace("-", "")
    parts = [re.sub(r"[^0-9+]", "", part) for part in number.split("-")]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    if len(parts) > 1 and parts[0].startswith("0"):
        base, extension = parts[0] + parts[1], parts[2:]
    else:
        base, extension = parts[0], parts[1:]
    return "tel:" + base + ("," + extension[0] if extension else "")


def tel_link(number: str, *, outcome_url: str = "") -> SafeString:
    """The number shown whole, as a link that dials it; with ``outcome_url`` the page offers
    the call's outcome as soon as it is tapped (static/js/field.js)."""
    href = tel_href(number)
    if not href:
        return format_html('<span class="revealed" data-testid="revealed">{}</span>', number)
    return format_html(
        '<a class="tel" href="{}" data-testid="tel"{}>'
        '<span class="revealed" data-testid="revealed">{}</span></a>'
        '<span class="call-outcome" data-testid="call-outcome-slot"></span>',
        href,
        format_html(' data-call-outcome="{}"', outcome_url) if outcome_url else "",
        number,
    )


def revealed_html(instance, field: str, value: str) -> SafeString:
    """What a logged "show" puts in the page: a phone as a number to tap, anything else as
    text."""
    if value and is_phone(masking.record_kind(instance), field):
        return tel_link(value, outcome_url=call_outcome_url(instance, field))
    return format_html('<span class="revealed" data-testid="revealed">{}</span>', value)


def unmasked_tel(kind: str, field: str, value: str) -> str:
    """A phone that its mask leaves whole (a company's 400/800 line): its ``tel:`` href, to
    show as a link without a "show"; "" for any number the mask hides."""
    if not value or not is_phone(kind, field) or masking.masked(kind, field, value) != value:
        return ""
    return tel_href(value)


def protected_phone(instance, field: str, user) -> dict:
    """A record's phone as registry/_protected.html shows it: masked, whether the user may
    "show" and "call" it, and a tel: href when its mask leaves it whole."""
    if instance is None or not getattr(instance, field):
        return {}
    kind = masking.record_kind(instance)
    value = getattr(instance, field)
    return {
        "masked": masking.masked(kind, field, value),
        "can_show": masking.may_unmask(user, kind, field),
        "phone": is_phone(kind, field),
        "tel": unmasked_tel(kind, field, value),
    }
