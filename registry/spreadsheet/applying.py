"""Write a plan to the registry, set-based: new rows by COPY into a temporary table and one
``INSERT … SELECT``, changed rows by COPY into a temporary table and one ``UPDATE … FROM`` per
table, replaced liaisons ended by one UPDATE. Each of those statements writes the rows' history
events too, exactly as the triggers would (registry.bulk_history), with the import's context.

performance-notes.md: bulk_update over many fields is slower than save(); COPY + UPDATE FROM
is what reaches 100,000 rows in seconds.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from django.db import connection

from registry import clock
from registry.bulk_history import context_id, write_with_history
from registry.models import EmergencyContact, Enterprise, GridArea, Liaison
from registry.spreadsheet.planning import (
    BATCH,
    CONTACT_FIELDS,
    ENTERPRISE_FIELDS,
    LIAISON_FIELDS,
    Plan,
    Progress,
)

_NULL = r"\N"
_BOOLEAN = {"key_taxpayer", "pre_approval"}


def _cell(value) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


def _copy(cursor, table: str, columns: Iterable[str], rows: Iterable[Iterable]) -> None:
    columns = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    buffer.seek(0)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
    )


def _stage(cursor, table: str, purpose: str, columns: list[str], rows: Iterable[Iterable]) -> str:
    """A temporary table with ``columns`` of ``table`` (same types), filled by COPY."""
    stage = f"import_{purpose}_{table}"
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
        f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
    )
    _copy(cursor, stage, columns, rows)
    return stage


def _insert(cursor, model, columns: list[str], rows, *, context, returning: str = ""):
    """INSERT the rows (staged by COPY) and their history events in one statement."""
    table = model._meta.db_table
    stage = _stage(cursor, table, "new", columns, rows)
    names = ", ".join(columns)
    written = write_with_history(
        cursor,
        model,
        f"INSERT INTO {table} AS t ({names}) SELECT {names} FROM {stage}",
        label="insert",
        context=context,
        returning=returning,
    )
    cursor.execute(f"DROP TABLE {stage}")
    return written


def _update_from(
    cursor, model, columns: list[str], rows: list[list], *, context, now: datetime.datetime
) -> None:
    """UPDATE the table SET columns FROM a temporary copy of the new values, by id; with the
    history events, in one statement."""
    if not rows or not columns:
        return
    table = model._meta.db_table
    stage = _stage(cursor, table, "changed", ["id", *columns], rows)
    assignments = ", ".join(f"{c} = s.{c}" for c in columns)
    write_with_history(
        cursor,
        model,
        f"UPDATE {table} t SET {assignments}, version = t.version + 1, updated_at = %s "
        f"FROM {stage} s WHERE t.id = s.id",
        [now],
        label="update",
        context=context,
    )
    cursor.execute(f"DROP TABLE {stage}")


def apply_plan(plan: Plan, *, present: set[str], today: datetime.date, progress: Progress | None):
    """Write every planned change. ``present``: the aliases of the file's columns (a column the
    file does not have leaves the stored value alone)."""
    now = clock.now()
    grid_ids = dict(plan.grid_ids)
    if plan.new_grids:
        taken = set(GridArea.objects.values_list("code", flat=True))
        created = []
        for name in plan.new_grids:
            code, n = name[:32], 1
            while code in taken:
                n += 1
                code = f"{name[:26]}-{n}"
            taken.add(code)
            created.append(GridArea(code=code, name=name))
        for grid in GridArea.objects.bulk_create(created):
            grid_ids[grid.name] = grid.pk

    e_fields = [f for f in ENTERPRISE_FIELDS if _alias_present(f, "enterprise", present)]
    l_fields = [f for f in LIAISON_FIELDS if _alias_present(f, "liaison", present)]
    c_fields = [f for f in CONTACT_FIELDS if _alias_present(f, "contact", present)]
    with_grid = "grid" in present
    total = len(plan.rows)
    steps = 0

    with connection.cursor() as cursor:
        context = context_id(cursor)
        for start in range(0, total, BATCH):
            batch = plan.rows[start : start + BATCH]
            new = [p for p in batch if p.status == "new"]
            changed = [p for p in batch if p.status == "updated"]
            # 1. New enterprises, then their ids.
            if new:
                ids = dict(
                    _insert(
                        cursor,
                        Enterprise,
                        [
                            "uscc",
                            *ENTERPRISE_FIELDS,
                            "grid_id",
                            "marked_key",
                            "legal_representative_backup_phone",
                            "status",
                            "beneficial_owner",
                            "tax_residency",
                            "version",
                            "created_at",
                            "updated_at",
                        ],
                        (
                            [
                                p.parsed.uscc,
                                *(_default(f, p.parsed.enterprise) for f in ENTERPRISE_FIELDS),
                                grid_ids.get(p.parsed.grid or ""),
                                False,
                                "",
                                "operating",
                                "",
                                "",
                                1,
                                now,
                                now,
                            ]
                            for p in new
                        ),
                        context=context,
                        returning="uscc, id",
                    )
                )
                for p in new:
                    p.enterprise_id = ids[p.parsed.uscc]
            # 2. Changed enterprises.
            columns = [*e_fields, *(["grid_id"] if with_grid else [])]
            _update_from(
                cursor,
                Enterprise,
                columns,
                [
                    [
                        p.enterprise_id,
                        *(p.parsed.enterprise[f] for f in e_fields),
                        *([grid_ids.get(p.parsed.grid or "")] if with_grid else []),
                    ]
                    for p in changed
                    if p.enterprise_changes
                ],
                context=context,
                now=now,
            )
            # 3. Liaisons: end the replaced ones first (one current liaison per enterprise),
            # then correct the same person's details, then start the new ones.
            ended = [p.liaison_id for p in changed if p.liaison_action == "replace"]
            if ended:
                write_with_history(
                    cursor,
                    Liaison,
                    "UPDATE registry_liaison t SET ended_on = GREATEST(%s, t.started_on), "
                    "version = t.version + 1, updated_at = %s WHERE t.id = ANY(%s)",
                    [today, now, ended],
                    label="update",
                    context=context,
                )
            _update_from(
                cursor,
                Liaison,
                list(l_fields),
                [
                    [p.liaison_id, *(p.parsed.liaison[f] for f in l_fields)]
                    for p in changed
                    if p.liaison_action == "update"
                ],
                context=context,
                now=now,
            )
            starting = [p for p in batch if p.liaison_action in ("create", "replace")]
            if starting:
                _insert(
                    cursor,
                    Liaison,
                    [
                        "enterprise_id",
                        *LIAISON_FIELDS,
                        "started_on",
                        "consent_version",
                        "version",
                        "created_at",
                        "updated_at",
                    ],
                    (
                        [
                            p.enterprise_id,
                            *(p.parsed.liaison.get(f, "") for f in LIAISON_FIELDS),
                            today,
                            "",
                            1,
                            now,
                            now,
                        ]
                        for p in starting
                    ),
                    context=context,
                )
            # 4. Emergency contacts.
            creating = [p for p in batch if p.contact_action == "create"]
            if creating:
                _insert(
                    cursor,
                    EmergencyContact,
                    ["enterprise_id", *CONTACT_FIELDS, "version", "updated_at"],
                    (
                        [
                            p.enterprise_id,
                            *(p.parsed.contact.get(f, "") for f in CONTACT_FIELDS),
                            1,
                            now,
                        ]
                        for p in creating
                    ),
                    context=context,
                )
            _update_from(
                cursor,
                EmergencyContact,
                list(c_fields),
                [
                    [p.contact_id, *(p.parsed.contact[f] for f in c_fields)]
                    for p in changed
                    if p.contact_action == "update"
                ],
                context=context,
                now=now,
            )
            steps += len(batch)
            if progress:
                progress(steps, total)
    return grid_ids


def _default(name: str, values: dict):
    if name in values:
        return values[name]
    return False if name in _BOOLEAN else ""


_ALIASES = {("enterprise", f): f for f in ENTERPRISE_FIELDS} | {
    ("liaison", "name"): "liaison_name",
    ("liaison", "position"): "liaison_position",
    ("liaison", "mobile"): "liaison_mobile",
    ("liaison", "landline"): "liaison_phone",
    ("liaison", "email"): "liaison_email",
    ("liaison", "wechat"): "liaison_wechat",
    ("liaison", "id_number"): "liaison_id_number",
    ("contact", "name"): "emergency_contact_name",
    ("contact", "relation"): "emergency_contact_relation",
    ("contact", "phone"): "emergency_contact_phone",
}


def _alias_present(name: str, record: str, present: set[str]) -> bool:
    return _ALIASES[record, name] in present
