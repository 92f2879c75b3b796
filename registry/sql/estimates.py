"""The planner's estimate of a table's rows (``pg_class.reltuples``, kept by ANALYZE and
autovacuum): what a list shows as its count where an exact ``COUNT(*)`` would scan the table
(issue 22). Off by the rows written since the last analyze, a small share of a large table."""

from django.db import connection


def row_estimate(model) -> int | None:
    """The estimated rows of ``model``'s table; None before it was ever analyzed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None
