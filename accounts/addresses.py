"""The address a request comes from: the one function every part of the portal reads it
through (the login lockout, the self-service rate limits, the sensitive-view log, the
security log).

Behind TRUSTED_PROXY_COUNT proxies of our own (the TLS proxy the README recommends, a load
balancer) REMOTE_ADDR is the nearest proxy's address, and each proxy appends the address it
was connected from to ``X-Forwarded-For``. The client is then the entry that the outermost
trusted proxy appended: the N-th from the right. Everything left of it was written by the
client itself and may be anything, so it is never read. With TRUSTED_PROXY_COUNT=0 (the
default: the portal is reached directly) the header is ignored altogether, since anyone can
send it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when the request carries none."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    # django-ipware counts the proxies *inside* the header (its "client, proxy1, …"), while
    # the nearest proxy is REMOTE_ADDR and not in it: N trusted proxies are N-1 there. Not
    # strict: a client may put entries of its own in front, which ipware skips from the left.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=trusted - 1,
        request_header_order=[FORWARDED_HEADER],
        strict=False,
    )
    # No usable header (a health check from inside the network, a proxy misconfigured to
    # drop it): the connection's own address, which is at least not the client's choice.
    return address or remote


def _valid(address: str | None) -> str | None:
    # Unix-socket servers leave REMOTE_ADDR empty; the logs' address columns want an IP.
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None
