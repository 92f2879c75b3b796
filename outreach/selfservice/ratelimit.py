"""The self-service pages' rate limits: django-ratelimit's counters in the shared cache, per
client address (accounts.addresses: behind our proxies, the liaison's own) and per link.

The cache is Redis when the portal has one (settings: CACHES), shared by every web process;
without Redis it is per process, which still slows a guesser down on a single-server install
(so django_ratelimit is not in INSTALLED_APPS: its system check refuses a per-process cache).

One difference from the counter this replaced: django-ratelimit's windows are fixed to the
clock (with an offset per key), where ours began at a key's first event. A guesser who
times the edge of a window can make twice a limit in a row, once; the lifetime cap on wrong
codes per link (SELF_SERVICE_WRONG_CODES_MAX) bounds the guesses at a code whatever the
windows do.
"""

import ipaddress

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from accounts.addresses import client_address
from registry.caching import CACHE_ERRORS

WINDOW = "15m"
# Per address: opening unknown links, sending codes, entering codes (per WINDOW).
ADDRESS_LIMITS = {"unknown": 20, "send": 10, "check": 30}
# Per link: codes sent and codes entered (per WINDOW); the link's own tries come on top.
LINK_LIMITS = {"send": 3, "check": 10}


class LimiterUnavailable(Exception):
    """The counters cannot be read (the cache is down). The pages that count answer 503
    "try again in a few minutes": letting guesses through uncounted would open the codes to
    guessing for as long as the outage lasts."""


def address_key(group: str, request: HttpRequest) -> str:
    """One bucket per client address; an IPv6 client per /64, the block one household or
    phone is given (as django-ratelimit's own "ip" key does)."""
    address = client_address(request)
    if address is None:
        return "none"
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def limited(request: HttpRequest, what: str, *, link_pk: int | None = None) -> bool:
    """Count one ``what`` ("unknown", "send", "check") for the request's address and, given,
    for the link; True once either is over its limit. LimiterUnavailable if the counters
    cannot be reached."""
    try:
        by_address = is_ratelimited(
            request,
            group=f"selfservice:{what}:address",
            key=address_key,
            rate=f"{ADDRESS_LIMITS[what]}/{WINDOW}",
            increment=True,
        )
        by_link = link_pk is not None and is_ratelimited(
            request,
            group=f"selfservice:{what}:link",
            key=lambda group, request: str(link_pk),
            rate=f"{LINK_LIMITS[what]}/{WINDOW}",
            increment=True,
        )
    except CACHE_ERRORS as error:
        raise LimiterUnavailable() from error
    return by_address or by_link
