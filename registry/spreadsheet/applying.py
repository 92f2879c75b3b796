"""Write an import's planned rows, set-based: each batch's created and updated rows are staged
by COPY into a temporary table of the import's transaction as they are planned; at the end,
one statement per table and kind of change writes them all from there, with their history
events exactly as the triggers would write them (registry.bulk_history), in the import's
context. The statements are in registry.spreadsheet.sql.
"""

from __future__ import annotations

import datetime

from registry import clock
from registry.bulk_history import context_id
from registry.models import Enterprise, GridArea
from registry.spreadsheet import sql
from registry.spreadsheet.columns import (
    COLUMNS,
    CONTACT_FIELDS,
    ENTERPRISE_FIELDS,
    LIAISON_FIELDS,
)
from registry.spreadsheet.planning import Grids, Progress, RowPlan

_ALIAS = {(c.record, c.field): c.alias for c in COLUMNS}
_NEW_ROW = {name: Enterprise._meta.get_field(name).get_default() for name in ENTERPRISE_FIELDS}


class Stage:
    """The created and updated rows of one import, staged in its transaction."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.rows = 0
        sql.stage_create(cursor)

    def add(self, plans: list[RowPlan], grids: Grids) -> None:
        staged = [_staged(plan, grids) for plan in plans if plan.status != "unchanged"]
        if staged:
            sql.stage_copy(self.cursor, staged)
            self.rows += len(staged)

    def drop(self) -> None:
        sql.stage_drop(self.cursor)

    def write(
        self,
        *,
        present: set[str],
        new_grids: list[str],
        today: datetime.date,
        progress: Progress | None = None,
    ) -> list[str]:
        """Write every staged row; return their credit codes, in file order. ``present``: the
        aliases of the file's columns (a column the file does not have leaves the stored
        value alone); ``new_grids``: the grid areas to create, named by the staged rows."""
        cursor, now = self.cursor, clock.now()
        sql.stage_set_new_grids(cursor, _create_grids(new_grids))
        sql.stage_analyze(cursor)
        sql.stage_set_enterprise_ids(cursor)
        context = context_id(cursor)
        fields = {
            record: [f for f in names if _ALIAS[record, f] in present]
            for record, names in (
                ("enterprise", ENTERPRISE_FIELDS),
                ("liaison", LIAISON_FIELDS),
                ("contact", CONTACT_FIELDS),
            )
        }
        # Enterprises first (the others refer to them); the replaced liaisons are ended
        # before the new ones start (one current liaison per enterprise).
        steps = [
            lambda: sql.insert_enterprises(cursor, context=context, now=now),
            lambda: sql.update_enterprises(
                cursor, fields["enterprise"], grid="grid" in present, context=context, now=now
            ),
            lambda: sql.end_liaisons(cursor, today=today, context=context, now=now),
            lambda: sql.update_liaisons(cursor, fields["liaison"], context=context, now=now),
            lambda: sql.insert_liaisons(cursor, today=today, context=context, now=now),
            lambda: sql.insert_contacts(cursor, context=context, now=now),
            lambda: sql.update_contacts(cursor, fields["contact"], context=context, now=now),
        ]
        for done, step in enumerate(steps, start=1):
            step()
            if progress:
                progress(done, len(steps))
        codes = sql.staged_codes(cursor)
        self.drop()
        return codes


def _staged(plan: RowPlan, grids: Grids) -> list:
    """One row of the staging table, in sql.stage_columns() order."""
    parsed = plan.parsed
    new_grid = parsed.grid if grids.is_new(parsed.grid) else None
    return [
        parsed.row,
        parsed.uscc,
        plan.status,
        plan.enterprise_id,
        plan.enterprise_changed,
        grids.id_of(parsed.grid or ""),
        new_grid,
        # A new enterprise takes the model's default for a column the file does not have.
        *(parsed.enterprise.get(name, _NEW_ROW[name]) for name in ENTERPRISE_FIELDS),
        plan.liaison_action,
        plan.liaison_id,
        *(parsed.liaison.get(name, "") for name in LIAISON_FIELDS),
        plan.contact_action,
        plan.contact_id,
        *(parsed.contact.get(name, "") for name in CONTACT_FIELDS),
    ]


def _create_grids(names: list[str]) -> dict[str, int]:
    """Create the grid areas, each with a code of its own made from its name; return their
    ids by name."""
    if not names:
        return {}
    taken = set(GridArea.objects.values_list("code", flat=True))
    created = []
    for name in names:
        code, n = name[:32], 1
        while code in taken:
            n += 1
            code = f"{name[:26]}-{n}"
        taken.add(code)
        created.append(GridArea(code=code, name=name))
    return {grid.name: grid.pk for grid in GridArea.objects.bulk_create(created)}
