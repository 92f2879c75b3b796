"""A personal link's token, its stored hash and its address — in Python for one link and in
SQL for many (a details-check campaign, the outreach plan's light touch), with the same
result: a 43-character base64url token of 32 random bytes, of which only the SHA-256 (hex)
is stored, and the address SELF_SERVICE_BASE_URL + ``/s/<token>/``.

In SQL the 32 bytes are two ``gen_random_uuid()`` (built in since PostgreSQL 13, no
extension), which draw from ``pg_strong_random`` (OpenSSL's RAND_bytes): 244 random bits,
the other 12 being the UUIDs' version and variant marks. The hash is the built-in
``sha256()`` over the token's UTF-8 bytes, so a link made in SQL is found by
``token_hash(token)`` like any other (tests/outreach/messaging/test_campaign_links.py opens one).
"""

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse

TOKEN_BYTES = 32

TOKEN_SQL = (
    "translate(rtrim(encode("
    "uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64'), '='), "
    "'+/', '-_')"
)


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash_sql(token: str) -> str:
    """The SQL expression of ``token_hash`` over the SQL expression ``token``."""
    return f"encode(sha256(convert_to({token}, 'UTF8')), 'hex')"


def link_url(token: str) -> str:
    return settings.SELF_SERVICE_BASE_URL.rstrip("/") + reverse("selfservice:landing", args=[token])


def link_url_sql(token: str) -> tuple[str, list[str]]:
    """``link_url`` as an SQL expression over the SQL expression ``token``, with its params."""
    marker = "TOKEN"
    before, after = link_url(marker).split(marker)
    return f"(%s || {token} || %s)", [before, after]
