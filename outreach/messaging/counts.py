"""Campaigns' counters from scratch (outreach.sql.campaign_counts): for a restore, or counts
suspected wrong. The database keeps them as messages move; this recounts every message in one
transaction, writers of the outbox waiting meanwhile."""

from django.db import connection, transaction

from outreach.sql import campaign_counts as sql


def campaign_counts_rebuild() -> int:
    """Recount every campaign's counters from its messages; the counter rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        return sql.counts_rebuild(cursor)
