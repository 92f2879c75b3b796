"""The metrics' day summary from scratch (outreach.sql.matter_metrics): for existing data, a
changed time zone, or a summary suspected wrong. The database keeps it as matters move; this
recounts every matter in one transaction, writers of matters waiting meanwhile."""

from django.db import connection, transaction

from outreach.sql import matter_metrics as sql


def matter_metrics_rebuild() -> int:
    """Recount the summary and every matter's ``last_nudge_at``; the summary's rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        return sql.summary_rebuild(cursor)
