"""Personal links for many liaisons in one statement: what ``selfservice_link_send`` does for
one enterprise, as CTEs a bulk outbox write (``outreach.sql.messaging.outbox_write``) puts
in front of its INSERT, so the links, the superseding of older ones and the messages
carrying them commit together or not at all. The token, its hash and the address in SQL are
the twins of the Python ones (outreach.selfservice.tokens).

Reference: the links a bulk write makes are those ``selfservice_link_send`` would make, one
per recipient with a token; tests/outreach/messaging/test_sql.py holds the written links to the
outbox rows that carry them.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.tokens import token_hash_sql
from registry.sql import Table


def links_write_ctes(
    *,
    rows: str,
    channel: str,
    by_id: int | None,
    campaign_id: int | None,
    now: datetime.datetime,
) -> tuple[str, list]:
    """Two CTEs over the CTE named ``rows`` (columns ``enterprise_id``, ``liaison_id``,
    ``liaison_version``, ``token``; a NULL token means no link for that row): ``superseded``
    stops the liaisons' open links, ``links`` writes the new ones. Returns (sql, params).

    Both see the statement's snapshot, so the new links are not superseded by their own
    statement; a liaison appears once (one current liaison per enterprise). Times are
    ``now`` from the application's clock, as for a link sent by hand (``selfservice_link_send``),
    not the transaction's start: a link sent by hand earlier in the same transaction still
    counts as the older one.
    """
    s, link = Table(SelfServiceLink, "s"), Table(SelfServiceLink)
    sql = f"""
    superseded AS (
        UPDATE {s} SET {s:superseded_at} = %s
        FROM {rows} r
        WHERE r.token IS NOT NULL AND {s.liaison} = r.liaison_id
          AND {s.used_at} IS NULL AND {s.revoked_at} IS NULL AND {s.superseded_at} IS NULL
          -- An expired link is dead already: rewriting 100k of them (every index entry
          -- moves out of the open-links index) would double a half-yearly check's cost.
          AND {s.expires_at} > %s
    ),
    links AS (
        INSERT INTO {link} (
            {link:enterprise,liaison,liaison_version,purpose,channel,token_hash,campaign},
            {link:created_by,created_at,expires_at,code_hash,code_tries_left,notice_version},
            {link:successor_name,successor_mobile})
        SELECT r.enterprise_id, r.liaison_id, r.liaison_version, %s, %s,
               {token_hash_sql("r.token")}, %s, %s, %s, %s, '', 0, '', '', ''
        FROM {rows} r
        WHERE r.token IS NOT NULL
    )"""
    expires = now + datetime.timedelta(days=settings.SELF_SERVICE_LINK_DAYS)
    params = [now, now, SelfServiceLink.Purpose.CHECK, channel, campaign_id, by_id, now, expires]
    return sql, params
