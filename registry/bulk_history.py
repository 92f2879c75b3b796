"""History for set-based writes, written set-based.

Every insert, update and delete of the registry tables is recorded by django-pghistory's row
triggers. For one row that is right; for the 200,000 rows of a big import it is most of the
time: each row runs a PL/pgSQL function with two exception blocks (two subtransactions) and an
``INSERT … ON CONFLICT`` of the same pghistory context, then its own event INSERT.

So the triggers carry a ``WHEN`` condition (evaluated in C before any function is called):
they stand aside while the transaction-local setting ``portal.bulk_history`` is ``on``. Only
``write_with_history`` turns it on, and only for the one statement it runs, which writes the
rows and their events together::

    WITH written AS (INSERT … / UPDATE … RETURNING t.*)
    INSERT INTO <model>event (<the same columns>, pgh_obj_id, pgh_label, pgh_context_id,
                              pgh_created_at)
    SELECT … FROM written

with the same columns, label, context and timestamp function the trigger would have used, so
a timeline cannot tell the two apart (tests/spreadsheet/test_import_history.py compares them).
Anyone with a database session could set the switch, but such a session can equally drop the
triggers: it is an optimisation for our own code, not a permission.
"""

from __future__ import annotations

import pgtrigger
from django.apps import apps
from django.conf import settings

SWITCH = "portal.bulk_history"
_OUTSIDE = f"current_setting('{SWITCH}', true) IS DISTINCT FROM 'on'"


class OutsideBulkHistory(pgtrigger.Condition):
    """The trigger fires unless a set-based writer records the history itself."""

    sql = _OUTSIDE


class AnyChangeOutsideBulkHistory(pgtrigger.AnyChange):
    """pghistory's default for update events (any tracked field changed), same switch."""

    def resolve(self, model) -> str:
        # pgtrigger writes WHEN (<this>), so the whole of it goes in one pair of brackets.
        return f"(({super().resolve(model)}) AND {_OUTSIDE})"


def event_model(model):
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def _tracked_columns(model) -> list[str]:
    return [
        field.column
        for field in event_model(model)._meta.concrete_fields
        if not field.column.startswith("pgh_")
    ]


def context_id(cursor):
    """The id of the pghistory context of this transaction (the row is written now, once),
    or None outside ``pghistory.context``: then the triggers would write NULL too."""
    # pghistory puts its context into the session on the next statement that goes through
    # Django's cursor and is not a SELECT; then the trigger's own function stores it.
    cursor.execute("DO $$ BEGIN END $$")
    cursor.execute("SELECT _pgh_attach_context()")
    return cursor.fetchone()[0]


def write_with_history(
    cursor, model, write_sql: str, params=(), *, label: str, context, returning: str = ""
) -> list[tuple]:
    """Run ``write_sql`` (an INSERT or UPDATE of ``model``'s table aliased ``t``, without
    RETURNING) and record every row it writes as a ``label`` event of ``context``. Returns
    the rows of ``SELECT {returning} FROM written`` when ``returning`` is given."""
    events = event_model(model)._meta.db_table
    columns = _tracked_columns(model)
    created_at = getattr(settings, "PGHISTORY_CREATED_AT_FUNCTION", "NOW()")
    tail = f"SELECT {returning} FROM written" if returning else "SELECT 1 LIMIT 0"
    sql = (
        f"WITH written AS ({write_sql} RETURNING t.*), "
        f"history AS (INSERT INTO {events} ({', '.join(columns)}, pgh_obj_id, pgh_label, "
        f"pgh_context_id, pgh_created_at) "
        f"SELECT {', '.join(f'w.{c}' for c in columns)}, w.id, %s, %s, {created_at} "
        f"FROM written w) {tail}"
    )
    cursor.execute(f"SELECT set_config('{SWITCH}', 'on', true)")
    cursor.execute(sql, [*params, label, context])
    rows = cursor.fetchall() if returning else []
    cursor.execute(f"SELECT set_config('{SWITCH}', 'off', true)")
    return rows


def changed_at_sql(event: str) -> str:
    """SQL for when the change recorded by history event ``event`` (a table alias) was made, by
    the one clock: the ``at`` that ``registry.services.changes_by`` puts in the change's
    pghistory context. Events written outside it (none of the portal's own writes) fall back to
    the event's row stamp, the database's clock. A decision that compares a change's time with
    Python's (a rule's window, the retention period) reads this, never ``pgh_created_at``."""
    contexts = apps.get_model("pghistory", "Context")._meta.db_table
    return (
        f"coalesce((SELECT (ctx.metadata ->> 'at')::timestamptz FROM {contexts} ctx "
        f"WHERE ctx.id = {event}.pgh_context_id), {event}.pgh_created_at)"
    )
