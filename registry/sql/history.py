"""History events written set-based (why: registry.bulk_history), and when a recorded change
was made by the one clock.

``write_with_history`` turns the triggers' switch on for the one statement it runs, which
writes the rows and their events together::

    WITH written AS (INSERT … / UPDATE … RETURNING t.*)
    INSERT INTO <model>event (<the same columns>, pgh_obj_id, pgh_label, pgh_context_id,
                              pgh_created_at)
    SELECT … FROM written

with the same columns, label, context and timestamp function the trigger would have used, so
a timeline cannot tell the two apart. Its reference version is the triggers themselves:
tests/registry/spreadsheet/test_import_history.py holds the two equal.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.conf import settings
from django.db import models

from registry.sql.names import Table, quoted

SWITCH = "portal.bulk_history"
# The triggers' WHEN condition: they fire unless a set-based writer records the events itself.
OUTSIDE = f"current_setting('{SWITCH}', true) IS DISTINCT FROM 'on'"


def event_model(model):
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def _tracked_columns(model) -> list[str]:
    """The columns the triggers copy: the event's own fields, not pghistory's, and not a
    generated column (the database computes it in the event row as in the tracked one)."""
    return [
        quoted(field.column)
        for field in event_model(model)._meta.concrete_fields
        if not field.column.startswith("pgh_") and not isinstance(field, models.GeneratedField)
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
    events = Table(event_model(model))
    columns = _tracked_columns(model)
    created_at = getattr(settings, "PGHISTORY_CREATED_AT_FUNCTION", "NOW()")
    tail = f"SELECT {returning} FROM written" if returning else "SELECT 1 LIMIT 0"
    sql = (
        f"WITH written AS ({write_sql} RETURNING t.*), "
        f"history AS (INSERT INTO {events} ({', '.join(columns)}, "
        f"{events:pgh_obj,pgh_label,pgh_context,pgh_created_at}) "
        f"SELECT {', '.join(f'w.{c}' for c in columns)}, w.{Table(model).pk}, %s, %s, "
        f"{created_at} FROM written w) {tail}"
    )
    cursor.execute(f"SELECT set_config('{SWITCH}', 'on', true)")
    cursor.execute(sql, [*params, label, context])
    rows = cursor.fetchall() if returning else []
    cursor.execute(f"SELECT set_config('{SWITCH}', 'off', true)")
    return rows


def changed_at_sql(event: Table) -> str:
    """SQL for when the change recorded by the history event ``event`` (an aliased event
    table) was made, by the one clock: the ``at`` that ``registry.services.changes_by`` puts
    in the change's pghistory context. Events written outside it (none of the portal's own
    writes) fall back to the event's row stamp, the database's clock. A decision that
    compares a change's time with Python's (a rule's window, the retention period) reads
    this, never ``pgh_created_at``. Reference: ``changed_at``."""
    ctx = Table(apps.get_model("pghistory", "Context"), "ctx")
    return (
        f"coalesce((SELECT ({ctx.metadata} ->> 'at')::timestamptz FROM {ctx} "
        f"WHERE {ctx.id} = {event.pgh_context}), {event.pgh_created_at})"
    )


def changed_at(event) -> datetime.datetime:
    """``changed_at_sql`` in Python, for one event row (with its ``pgh_context``)."""
    at = (event.pgh_context.metadata or {}).get("at") if event.pgh_context_id else None
    return datetime.datetime.fromisoformat(at) if at else event.pgh_created_at


def inserted_ids(cursor, model, context) -> list[int]:
    """The ids of ``model``'s rows inserted under the history context ``context`` (one
    transaction's, e.g. the import's), written by the triggers or set-based alike: what a
    write started, found without a hook in its statements. Ascending."""
    events = Table(event_model(model))
    cursor.execute(
        f"SELECT DISTINCT {events.pgh_obj} FROM {events} "
        f"WHERE {events.pgh_context} = %s AND {events.pgh_label} = 'insert' ORDER BY 1",
        [context],
    )
    return [pk for (pk,) in cursor.fetchall()]
