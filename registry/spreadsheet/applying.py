"""Write an import's planned rows, set-based: each batch's created and updated rows are staged
by COPY into a temporary table of the import's transaction as they are planned; at the end,
one statement per table and kind of change writes them all from there, with their history
events exactly as the triggers would write them (registry.bulk_history), in the import's
context. The statements are in registry.spreadsheet.sql.

Only the staged rows' credit codes stay in memory (the run's page lists the enterprises
written); a batch's plans are dropped once staged.
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
    """The created and updated rows of one import, staged in its transaction batch by batch;
    a new enterprise gets its id from the table's sequence and a new grid area is created as
    the first batch naming it is staged (a refused import rolls both back)."""

    def __init__(self, cursor, grids: Grids):
        self.cursor = cursor
        self.grids = grids
        self.created_grids: dict[str, int] = {}
        self.codes: list[str] = []  # the credit codes staged, in file order
        self.sequence = sql.id_sequence(cursor, Enterprise)
        sql.stage_create(cursor)

    def add(self, plans: list[RowPlan]) -> None:
        staged = [plan for plan in plans if plan.status != "unchanged"]
        if not staged:
            return
        self._create_grids(staged)
        new = [plan for plan in staged if plan.status == "new"]
        for plan, pk in zip(new, sql.next_ids(self.cursor, self.sequence, len(new)), strict=True):
            plan.enterprise_id = pk
        sql.stage_copy(self.cursor, (self._row(plan) for plan in staged))
        self.codes.extend(plan.parsed.uscc for plan in staged)

    def drop(self) -> None:
        sql.stage_drop(self.cursor)

    def write(
        self, *, present: set[str], today: datetime.date, progress: Progress | None = None
    ) -> list[str]:
        """Write every staged row; return their credit codes, in file order. ``present``: the
        aliases of the file's columns (a column the file does not have leaves the stored
        value alone)."""
        cursor, now = self.cursor, clock.now()
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
        self.drop()
        return self.codes

    def _grid_id(self, grid: str | None) -> int | None:
        if not grid:
            return None
        return self.grids.id_of(grid) or self.created_grids.get(grid)

    def _create_grids(self, staged: list[RowPlan]) -> None:
        """Create the new grid areas these rows name, each with a code of its own made from its
        name."""
        names = {
            plan.parsed.grid: None
            for plan in staged
            if self.grids.is_new(plan.parsed.grid) and plan.parsed.grid not in self.created_grids
        }
        if not names:
            return
        taken = self.grids.codes
        created = []
        for name in names:
            code, n = name[:32], 1
            while code in taken:
                n += 1
                code = f"{name[:26]}-{n}"
            taken.add(code)
            created.append(GridArea(code=code, name=name))
        for grid in GridArea.objects.bulk_create(created):
            self.created_grids[grid.name] = grid.pk

    def _row(self, plan: RowPlan) -> list:
        """One row of the staging table, in sql.stage_columns() order."""
        parsed = plan.parsed
        return [
            parsed.row,
            parsed.uscc,
            plan.status,
            plan.enterprise_id,
            plan.enterprise_changed,
            self._grid_id(parsed.grid),
            # A new enterprise takes the model's default for a column the file does not have.
            *(parsed.enterprise.get(name, _NEW_ROW[name]) for name in ENTERPRISE_FIELDS),
            plan.liaison_action,
            plan.liaison_id,
            *(parsed.liaison.get(name, "") for name in LIAISON_FIELDS),
            plan.contact_action,
            plan.contact_id,
            *(parsed.contact.get(name, "") for name in CONTACT_FIELDS),
        ]
