"""History for set-based writes, written set-based.

Every insert, update and delete of the registry tables is recorded by django-pghistory's row
triggers. For one row that is right; for the 200,000 rows of a big import it is most of the
time: each row runs a PL/pgSQL function with two exception blocks (two subtransactions) and an
``INSERT … ON CONFLICT`` of the same pghistory context, then its own event INSERT.

So the triggers carry a ``WHEN`` condition (evaluated in C before any function is called):
they stand aside while the transaction-local setting ``portal.bulk_history`` is ``on``. Only
``write_with_history`` (registry.sql.history) turns it on, and only for the one statement it
runs, which writes the rows and their events together, with the same columns, label, context
and timestamp function the trigger would have used, so a timeline cannot tell the two apart
(tests/registry/spreadsheet/test_import_history.py compares them). Anyone with a database session
could set the switch, but such a session can equally drop the triggers: it is an
optimisation for our own code, not a permission.
"""

from __future__ import annotations

import pgtrigger

from registry.sql.history import OUTSIDE


class OutsideBulkHistory(pgtrigger.Condition):
    """The trigger fires unless a set-based writer records the history itself."""

    sql = OUTSIDE


class AnyChangeOutsideBulkHistory(pgtrigger.AnyChange):
    """pghistory's default for update events (any tracked field changed), same switch."""

    def resolve(self, model) -> str:
        # pgtrigger writes WHEN (<this>), so the whole of it goes in one pair of brackets.
        return f"(({super().resolve(model)}) AND {OUTSIDE})"
