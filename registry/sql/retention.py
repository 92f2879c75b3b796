"""The retention run's SQL (the run and its rules: registry.retention): choosing whom to erase
into temporary tables, erasing the registry's rows and history, and ``text_erase``, which the
higher apps' steps use on their own texts.

Each ``choose_*`` statement fills one temporary table (dropped at commit) from the ones
before it; ``chosen_reference`` says in the ORM and Python who the first four choose, and
tests/registry/test_sql.py holds the two equal. The values and their regular expressions are
text work with no shorter second version: tests/registry/test_retention.py holds them to
what a reader of the erased texts sees.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from registry.models import EmergencyContact, Enterprise, ImportRun, Liaison
from registry.sql.history import changed_at, changed_at_sql, event_model
from registry.sql.names import Table

if TYPE_CHECKING:
    from registry.retention import RetentionScope

LIAISON_PERSONAL = ("name", "mobile", "landline", "email", "wechat", "id_number")
CONTACT_PERSONAL = ("name", "relation", "phone")

# Temporary tables of one run (dropped at commit), for the steps to join.
DEREGISTERED = "retention_deregistered"  # (enterprise_id): deregistered before the cutoff
LIAISONS = "retention_liaison"  # (id, enterprise_id): liaisons erased, row and history
CONTACTS = "retention_contact"  # (id, enterprise_id): emergency contacts erased likewise
CONTACT_EVENTS = "retention_contact_event"  # (pgh_id, enterprise_id): replaced persons
VALUES = "retention_value"  # (enterprise_id, value): what the erased people's data says
KEPT_NAMES = "retention_kept_name"  # (enterprise_id, name): the people we keep
PATTERNS = "retention_pattern"  # (enterprise_id, pattern): their values, one expression

# A value of digits (a phone) is found with or without spaces and dashes between them, and
# only as a whole number: not touching another digit (erasing 5555-1234 leaves a kept
# person's 13955551234 alone). Anything else is found literally (its special characters
# escaped), except where it is part of a longer name a kept person of the same enterprise
# holds, standing in the text (erasing 张伟 leaves the kept 张伟明 and 李张伟 whole, while
# "张伟说" loses 张伟). A name is not otherwise bounded: Chinese text has no spaces between
# words, so "张伟说" is still found.
_PHONE_LIKE = r"^[0-9 ()+-]+$"
_DIGIT_GAP = r"\1[ -]?"
_SPECIAL = r"([]\[\\^$.*+?(){}|-])"
_ESCAPED = r"\\\1"


def lock(cursor) -> None:
    """One run at a time (two beat ticks, or a run by hand beside the beat)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registry.retention'))")


def _columns(table: Table, names: tuple[str, ...]) -> str:
    return ", ".join(getattr(table, name) for name in names)


def _sets(table: Table, names: tuple[str, ...]) -> str:
    """``name = 〔已删除〕, mobile = '', …``: the name keeps a marker, the rest are emptied."""
    return ", ".join(
        f"{table:{name}} = {'%(erased)s' if name == 'name' else chr(39) * 2}" for name in names
    )


def _escaped(expression: str) -> str:
    """SQL for the text of ``expression`` as a regular expression matching it literally."""
    return f"regexp_replace({expression}, %(special)s, %(escaped)s, 'g')"


# --- Choosing ---------------------------------------------------------------------------


def choose(cursor, scope: RetentionScope) -> None:
    """Fill the run's temporary tables, each from the ones before it."""
    params = {
        "erased": scope.erased,
        "cutoff": scope.liaison_cutoff,
        "cutoff_at": scope.cutoff_at,
        "deregistered": Enterprise.Status.DEREGISTERED.value,
        "phone_like": _PHONE_LIKE,
        "digit_gap": _DIGIT_GAP,
        "special": _SPECIAL,
        "escaped": _ESCAPED,
    }
    # Dropped at commit; a run inside a caller's transaction (a test) may come twice.
    tables = (DEREGISTERED, LIAISONS, CONTACTS, CONTACT_EVENTS, VALUES, KEPT_NAMES, PATTERNS)
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")
    for statement in (
        _choose_deregistered,
        _choose_liaisons,
        _choose_contacts,
        _choose_replaced_contacts,
        _gather_values,
        _gather_kept_names,
        _build_patterns,
    ):
        cursor.execute(f"CREATE TEMP TABLE {statement()}", params)


def _choose_deregistered() -> str:
    """Enterprises deregistered before the cutoff: the start of their present spell."""
    e, ev = Table(Enterprise, "e"), Table(event_model(Enterprise), "ev")
    x = Table(event_model(Enterprise), "x")
    return f"""{DEREGISTERED} ON COMMIT DROP AS
    SELECT {e.id} AS enterprise_id FROM {e}
    WHERE {e.status} = %(deregistered)s AND (
        SELECT min({changed_at_sql(ev)}) FROM {ev}
        WHERE {ev.pgh_obj} = {e.id} AND {ev.status} = %(deregistered)s
          AND {changed_at_sql(ev)} > coalesce((
              SELECT max({changed_at_sql(x)}) FROM {x}
              WHERE {x.pgh_obj} = {e.id} AND {x.status} <> %(deregistered)s
          ), '-infinity')
    ) < %(cutoff_at)s"""


def _deleted_persons(model) -> str:
    """The history of people deleted before the cutoff (their last event written then)."""
    table, ev = Table(model, "k"), Table(event_model(model), "ev")
    return f"""
    SELECT {ev.pgh_obj}, max({ev.enterprise}) FROM {ev}
    WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {table.id} = {ev.pgh_obj})
    GROUP BY {ev.pgh_obj}
    HAVING max({changed_at_sql(ev)}) < %(cutoff_at)s AND bool_or({ev.name} <> %(erased)s)"""


def _choose_liaisons() -> str:
    """Liaisons whose period ended before the cutoff, every liaison of an enterprise
    deregistered before it, and the history of liaisons deleted before it."""
    l = Table(Liaison, "l")  # noqa: E741
    return f"""{LIAISONS} ON COMMIT DROP AS
    SELECT {l.id}, {l.enterprise} FROM {l}
    WHERE {l.name} <> %(erased)s AND (
        {l.ended_on} < %(cutoff)s
        OR {l.enterprise} IN (SELECT enterprise_id FROM {DEREGISTERED}))
    UNION {_deleted_persons(Liaison)}"""


def _choose_contacts() -> str:
    """The emergency contacts of enterprises deregistered before the cutoff, and the history
    of contacts deleted before it."""
    c = Table(EmergencyContact, "c")
    return f"""{CONTACTS} ON COMMIT DROP AS
    SELECT {c.id}, {c.enterprise} FROM {c}
    WHERE {c.name} <> %(erased)s AND {c.enterprise} IN (SELECT enterprise_id FROM {DEREGISTERED})
    UNION {_deleted_persons(EmergencyContact)}"""


def _choose_replaced_contacts() -> str:
    """A kept contact's earlier person: a later event of the same contact names someone
    else, and was written before the cutoff (history rows only)."""
    ev = Table(event_model(EmergencyContact), "ev")
    later = Table(event_model(EmergencyContact), "later")
    return f"""{CONTACT_EVENTS} ON COMMIT DROP AS
    SELECT {ev.pgh_id}, {ev.enterprise} FROM {ev}
    WHERE {ev.name} <> %(erased)s
      AND {ev.pgh_obj} NOT IN (SELECT id FROM {CONTACTS})
      AND EXISTS (
          SELECT 1 FROM {later}
          WHERE {later.pgh_obj} = {ev.pgh_obj} AND {later.pgh_id} > {ev.pgh_id}
            AND {later.name} <> {ev.name} AND {changed_at_sql(later)} < %(cutoff_at)s)"""


def _gather_values() -> str:
    """Every value of the chosen people, from the rows and every history event (an old
    mobile corrected years ago is theirs too), leaving out any value a person we keep still
    holds (a liaison who left and came back)."""
    l, c = Table(Liaison, "l"), Table(EmergencyContact, "c")  # noqa: E741
    lev, cev = Table(event_model(Liaison), "ev"), Table(event_model(EmergencyContact), "ev")
    kl, kc = Table(Liaison, "k"), Table(EmergencyContact, "k")
    return f"""{VALUES} ON COMMIT DROP AS
    SELECT DISTINCT s.enterprise_id, s.value FROM (
        SELECT {l.enterprise} AS enterprise_id,
               unnest(ARRAY[{_columns(l, LIAISON_PERSONAL)}]) AS value
          FROM {l} JOIN {LIAISONS} r ON r.id = {l.id}
        UNION ALL
        SELECT r.enterprise_id, unnest(ARRAY[{_columns(lev, LIAISON_PERSONAL)}])
          FROM {lev} JOIN {LIAISONS} r ON r.id = {lev.pgh_obj}
        UNION ALL
        SELECT {c.enterprise}, unnest(ARRAY[{_columns(c, CONTACT_PERSONAL)}])
          FROM {c} JOIN {CONTACTS} r ON r.id = {c.id}
        UNION ALL
        SELECT r.enterprise_id, unnest(ARRAY[{_columns(cev, CONTACT_PERSONAL)}])
          FROM {cev} JOIN {CONTACTS} r ON r.id = {cev.pgh_obj}
        UNION ALL
        SELECT r.enterprise_id, unnest(ARRAY[{_columns(cev, CONTACT_PERSONAL)}])
          FROM {cev} JOIN {CONTACT_EVENTS} r ON r.pgh_id = {cev.pgh_id}
    ) s
    WHERE char_length(s.value) >= 2 AND s.value <> %(erased)s
      -- A value a person we keep still holds stays where it is.
      AND NOT EXISTS (
          SELECT 1 FROM {kl}
          WHERE {kl.enterprise} = s.enterprise_id
            AND {kl.id} NOT IN (SELECT id FROM {LIAISONS})
            AND s.value IN ({_columns(kl, LIAISON_PERSONAL)}))
      AND NOT EXISTS (
          SELECT 1 FROM {kc}
          WHERE {kc.enterprise} = s.enterprise_id
            AND {kc.id} NOT IN (SELECT id FROM {CONTACTS})
            AND s.value IN ({_columns(kc, CONTACT_PERSONAL)}))"""


def _gather_kept_names() -> str:
    """The names of the people we keep, to leave a longer name holding an erased one."""
    kl, kc = Table(Liaison, "k"), Table(EmergencyContact, "k")
    return f"""{KEPT_NAMES} ON COMMIT DROP AS
    SELECT {kl.enterprise} AS enterprise_id, {kl.name} AS name FROM {kl}
    WHERE {kl.id} NOT IN (SELECT id FROM {LIAISONS}) AND {kl.name} NOT IN ('', %(erased)s)
    UNION
    SELECT {kc.enterprise}, {kc.name} FROM {kc}
    WHERE {kc.id} NOT IN (SELECT id FROM {CONTACTS}) AND {kc.name} NOT IN ('', %(erased)s)"""


def _build_patterns() -> str:
    """One alternative per value: a phone between digit boundaries; anything else with, for
    each place it sits inside a kept name K (K = prefix + value + suffix), a guard "not here
    as K": (?!K) when the prefix is empty, else (?<!prefix(?=value suffix))."""
    return f"""{PATTERNS} ON COMMIT DROP AS
    SELECT enterprise_id, string_agg(alternative, '|' ORDER BY length DESC) AS pattern
    FROM (
        SELECT v.enterprise_id, char_length(v.value) AS length, CASE
            WHEN v.value ~ %(phone_like)s
                 AND char_length(regexp_replace(v.value, '[^0-9]', '', 'g')) >= 7
            THEN '(?<![0-9])' || regexp_replace(
                 regexp_replace(v.value, '[^0-9]', '', 'g'), '([0-9])(?=[0-9])',
                 %(digit_gap)s, 'g') || '(?![0-9])'
            ELSE coalesce((
                SELECT string_agg(CASE WHEN g.i = 1
                    THEN '(?!' || {_escaped("k.name")} || ')'
                    ELSE '(?<!' || {_escaped("left(k.name, g.i - 1)")}
                         || '(?=' || {_escaped("substr(k.name, g.i)")} || '))'
                    END, '')
                FROM {KEPT_NAMES} k CROSS JOIN LATERAL generate_series(
                    1, char_length(k.name) - char_length(v.value) + 1) AS g(i)
                WHERE k.enterprise_id = v.enterprise_id
                  AND char_length(k.name) > char_length(v.value)
                  AND lower(substr(k.name, g.i, char_length(v.value))) = lower(v.value)
            ), '') || {_escaped("v.value")}
        END AS alternative
        FROM {VALUES} v
    ) s
    GROUP BY enterprise_id"""


def chosen(cursor) -> dict[str, set[int]]:
    """What ``choose`` put in its first four tables (for the parity test)."""
    found = {}
    for name, table, column in (
        ("deregistered", DEREGISTERED, "enterprise_id"),
        ("liaisons", LIAISONS, "id"),
        ("contacts", CONTACTS, "id"),
        ("contact_events", CONTACT_EVENTS, "pgh_id"),
    ):
        cursor.execute(f"SELECT {column} FROM {table}")
        found[name] = {row[0] for row in cursor.fetchall()}
    return found


def chosen_reference(scope: RetentionScope) -> dict[str, set[int]]:
    """``choose``'s first four tables, through the ORM and Python over the history."""
    cutoff_at, erased = scope.cutoff_at, scope.erased
    events = {
        model: list(event_model(model).objects.select_related("pgh_context").order_by("pgh_id"))
        for model in (Enterprise, Liaison, EmergencyContact)
    }
    deregistered = set()
    for enterprise in Enterprise.objects.filter(status=Enterprise.Status.DEREGISTERED):
        own = [ev for ev in events[Enterprise] if ev.pgh_obj_id == enterprise.pk]
        before = [changed_at(ev) for ev in own if ev.status != enterprise.status]
        spell = [
            changed_at(ev)
            for ev in own
            if ev.status == enterprise.status and (not before or changed_at(ev) > max(before))
        ]
        if spell and min(spell) < cutoff_at:
            deregistered.add(enterprise.pk)

    def deleted(model) -> set[int]:
        gone = {}
        for ev in events[model]:
            if not model.objects.filter(pk=ev.pgh_obj_id).exists():
                gone.setdefault(ev.pgh_obj_id, []).append(ev)
        return {
            pk
            for pk, own in gone.items()
            if max(map(changed_at, own)) < cutoff_at and any(ev.name != erased for ev in own)
        }

    liaisons = set(
        Liaison.objects.exclude(name=erased)
        .filter(Q(ended_on__lt=scope.liaison_cutoff) | Q(enterprise__in=deregistered))
        .values_list("pk", flat=True)
    ) | deleted(Liaison)
    contacts = set(
        EmergencyContact.objects.exclude(name=erased)
        .filter(enterprise__in=deregistered)
        .values_list("pk", flat=True)
    ) | deleted(EmergencyContact)
    contact_events = {
        ev.pgh_id
        for ev in events[EmergencyContact]
        if ev.name != erased
        and ev.pgh_obj_id not in contacts
        and any(
            later.pgh_obj_id == ev.pgh_obj_id
            and later.pgh_id > ev.pgh_id
            and later.name != ev.name
            and changed_at(later) < cutoff_at
            for later in events[EmergencyContact]
        )
    }
    return {
        "deregistered": deregistered,
        "liaisons": liaisons,
        "contacts": contacts,
        "contact_events": contact_events,
    }


# --- Erasing ----------------------------------------------------------------------------


def erase_registry(cursor, scope: RetentionScope) -> dict[str, int]:
    """Overwrite the chosen people's fields and history events; returns the counts."""
    liaison, contact = Table(Liaison, "t"), Table(EmergencyContact, "t")
    liaison_events = Table(event_model(Liaison), "t")
    contact_events = Table(event_model(EmergencyContact), "t")
    params = {"erased": scope.erased, "now": scope.now}
    counts = {}
    # The row first: its own history trigger writes the erased state as the last event.
    # The version moves, so an open personal link of the liaison stops working.
    cursor.execute(
        f"UPDATE {liaison} SET {_sets(liaison, LIAISON_PERSONAL)}, "
        f"{liaison:version} = {liaison.version} + 1, {liaison:updated_at} = %(now)s "
        f"FROM {LIAISONS} r WHERE {liaison.id} = r.id",
        params,
    )
    counts["liaisons"] = cursor.rowcount
    cursor.execute(
        f"UPDATE {liaison_events} SET {_sets(liaison_events, LIAISON_PERSONAL)} "
        f"FROM {LIAISONS} r WHERE {liaison_events.pgh_obj} = r.id",
        params,
    )
    counts["liaison_history_events"] = cursor.rowcount
    cursor.execute(
        f"UPDATE {contact} SET {_sets(contact, CONTACT_PERSONAL)}, "
        f"{contact:version} = {contact.version} + 1, {contact:updated_at} = %(now)s "
        f"FROM {CONTACTS} r WHERE {contact.id} = r.id",
        params,
    )
    counts["emergency_contacts"] = cursor.rowcount
    cursor.execute(
        f"UPDATE {contact_events} SET {_sets(contact_events, CONTACT_PERSONAL)} "
        f"WHERE {contact_events.pgh_obj} IN (SELECT id FROM {CONTACTS}) "
        f"OR {contact_events.pgh_id} IN (SELECT pgh_id FROM {CONTACT_EVENTS})",
        params,
    )
    counts["emergency_contact_history_events"] = cursor.rowcount
    return counts


def text_erase(
    cursor,
    scope: RetentionScope,
    *,
    table: Table,
    columns: tuple[str, ...],
    enterprise: str = "",
    joins: str = "",
    where: str = "",
) -> int:
    """Replace the erased people's values in the free-text fields ``columns`` of ``table``
    (aliased ``t``) in rows of their enterprise: ``enterprise`` is the SQL giving a row's
    enterprise id (default: its ``enterprise`` column), with ``joins`` as extra FROM items
    and ``where`` their join condition. Returns how many rows changed."""
    enterprise = enterprise or table.enterprise
    sets = ", ".join(
        f"{table:{c}} = regexp_replace({getattr(table, c)}, p.pattern, %(erased)s, 'gi')"
        for c in columns
    )
    matches = " OR ".join(f"{getattr(table, c)} ~* p.pattern" for c in columns)
    cursor.execute(
        f"UPDATE {table} SET {sets} FROM {scope.patterns} AS p{joins} "
        f"WHERE {enterprise} = p.enterprise_id AND ({matches})"
        + (f" AND {where}" if where else ""),
        {"erased": scope.erased},
    )
    return cursor.rowcount


def import_files_erase(cursor, *, before: datetime.datetime, working: list[str]) -> list[str]:
    """Empty the file, its name and the rows' details of the imports created before
    ``before`` and not at work (``working`` statuses); returns the storage names."""
    run = Table(ImportRun, "t")
    old = Table(ImportRun)
    cursor.execute(
        f"""WITH old AS (
            SELECT {old:id,file} FROM {old}
            WHERE {old.file} <> '' AND {old.created_at} < %(before)s
              AND NOT ({old.status} = ANY(%(working)s))
            FOR UPDATE)
        UPDATE {run} SET {run:file} = '', {run:filename} = '',
            {run:preview} = {run.preview} - 'changes' - 'errors',
            {run:summary} = {run.summary} - 'changes' - 'errors'
        FROM old WHERE {run.id} = old.{old.id} RETURNING old.{old.file}""",
        {"before": before, "working": working},
    )
    return [name for (name,) in cursor.fetchall()]
