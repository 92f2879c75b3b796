"""The building key of every enterprise's address, and the suggested links, set-based.

``address_key_sql`` is registry.address_key.address_key in SQL, built from the same patterns
(tests/registry/test_sql.py holds the two equal over many addresses); ``suggestions_refresh``
writes, in one statement, a suggestion for each enterprise whose registered or operating
address gives a building's key and which is not linked to that building, and takes back the
open suggestions that no longer hold (the address changed, the link was made). Rejected
suggestions stay: staff said no once. Reference: ``suggestions_reference``.
"""

from __future__ import annotations

import datetime
import re

from registry import address_key as k
from registry.address_key import address_key
from registry.models import Building, BuildingContact, BuildingSuggestion, Enterprise
from registry.sql.history import changed_at, changed_at_sql, event_model
from registry.sql.names import Table


def _literal(text: str) -> str:
    # A constant of our own module, never user input; quoted for SQL, % doubled for the
    # driver's parameter syntax.
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def address_key_laterals(column: str, alias: str) -> str:
    """``CROSS JOIN LATERAL``s that end in ``{alias}.key``: the building key of ``column``.

    ``OFFSET 0`` keeps each step a subquery of its own: pulled up into the outer query, the
    planner would paste the cleaned text into every place that uses it and run the regular
    expressions five times per address (25 s instead of 4 s over 100,000 addresses)."""
    cleaned = (
        f"regexp_replace(regexp_replace(upper(normalize(coalesce({column}, ''), NFKC)), "
        f"{_literal(k.SPACES)}, '', 'g'), {_literal(k.REMARKS)}, '', 'g')"
    )
    unprefixed = f"regexp_replace({cleaned}, {_literal(k.PREFIX)}, '')"
    as_one = _literal("\\1" + k.BUILDING_AS)  # \1栋
    buildings = f"regexp_replace({unprefixed}, {_literal(k.BUILDING)}, {as_one}, 'g')"
    return f"""
    CROSS JOIN LATERAL (SELECT {buildings} AS text OFFSET 0) {alias}_t
    CROSS JOIN LATERAL (
        SELECT (regexp_match({alias}_t.text, {_literal(k.STREET_NUMBER)}))[1] AS head OFFSET 0
    ) {alias}_h
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN {alias}_h.head IS NULL
                THEN regexp_replace({alias}_t.text, {_literal(k.FLOOR_ON)}, '')
            ELSE {alias}_h.head || coalesce(substring(
                substr({alias}_t.text, length({alias}_h.head) + 1)
                FROM {_literal(k.BUILDING_AFTER)}), '')
        END AS key
    ) {alias}"""


def address_keys(cursor, addresses: list[str]) -> list[str]:
    """The SQL keys of some addresses, in order (for the parity test)."""
    cursor.execute(
        f"""
        SELECT a.key FROM unnest(%s::text[]) WITH ORDINALITY AS x(address, n)
        {address_key_laterals("x.address", "a")}
        ORDER BY x.n
        """,
        [addresses],
    )
    return [row[0] for row in cursor.fetchall()]


def _fragment(building_id: int) -> str:
    """What every address of the building holds once its spaces are gone and its digits are
    half-width: the key up to the street number ("张江路1号"), else its longest run of
    Chinese (a building's name). A LIKE on it leaves few addresses to key."""
    key = Building.objects.filter(pk=building_id).values_list("address_key", flat=True).first()
    street = re.match(k.STREET_NUMBER, key or "")
    if street:
        fragment = street.group(1)
    else:
        runs = re.findall(r"[^\x00-\x7f]{2,}", key or "")
        fragment = max(runs, key=len) if runs else ""
    return fragment.replace("\\", "").replace("%", "").replace("_", "")


# An address as the LIKE above reads it: no spaces (ASCII or ideographic), digits half-width,
# letters upper case; cheap beside the key itself. The same expression as the enterprise's
# trigram indexes on its addresses (registry.models.address_as_typed), which serve the LIKE.
# (translate deletes the characters past the end of its third argument: the two spaces.)
_AS_TYPED = f"upper(translate({{address}}, {_literal(k.TYPED_FROM)}, {_literal(k.TYPED_TO)}))"


def suggestions_refresh(
    cursor, *, now: datetime.datetime, building_id: int | None = None
) -> tuple[int, int]:
    """Write the suggestions (of one building, or of all); returns (added, taken back)."""
    e = Table(Enterprise, "e")
    b = Table(Building, "b")
    s = Table(BuildingSuggestion, "s")
    bare = Table(BuildingSuggestion)
    one = f"AND {b.id} = %(building)s" if building_id is not None else ""
    only = f"AND {s.building} = %(building)s" if building_id is not None else ""
    # One building: only addresses holding its street's name are keyed (a LIKE, where keying
    # all 100,000 takes seconds); one with a space typed inside the name waits for the night.
    near = ""
    fragment = _fragment(building_id) if building_id is not None else ""
    if fragment:
        near = f"AND {_AS_TYPED} LIKE %(fragment)s"
    cursor.execute(
        f"""
        WITH keys AS (
            SELECT {e.id} AS enterprise_id, {e.building} AS linked,
                   '{BuildingSuggestion.Matched.REGISTERED}' AS matched, r.key
            FROM {e} {address_key_laterals(e.registered_address, "r")}
            WHERE {e.status} <> '{Enterprise.Status.DEREGISTERED}'
              {near.format(address=e.registered_address)}
            UNION ALL
            SELECT {e.id}, {e.building}, '{BuildingSuggestion.Matched.OPERATING}', o.key
            FROM {e} {address_key_laterals(e.operating_address, "o")}
            WHERE {e.status} <> '{Enterprise.Status.DEREGISTERED}'
              AND {e.operating_address} <> ''
              {near.format(address=e.operating_address)}
        ),
        matches AS (
            -- The registered address first when both give the key.
            SELECT DISTINCT ON ({b.id}, keys.enterprise_id)
                   {b.id} AS building_id, keys.enterprise_id, keys.matched
            FROM keys JOIN {b} ON {b.address_key} = keys.key
            WHERE keys.key <> '' AND keys.linked IS DISTINCT FROM {b.id} {one}
            ORDER BY {b.id}, keys.enterprise_id, keys.matched DESC
        ),
        gone AS (
            DELETE FROM {s}
            WHERE {s.status} = '{BuildingSuggestion.Status.OPEN}' {only}
              AND NOT EXISTS (
                  SELECT 1 FROM matches m
                  WHERE m.building_id = {s.building} AND m.enterprise_id = {s.enterprise}
              )
            RETURNING 1
        ),
        added AS (
            INSERT INTO {bare} ({bare:building,enterprise,matched_on,status,created_at})
            SELECT building_id, enterprise_id, matched, '{BuildingSuggestion.Status.OPEN}',
                   %(now)s
            FROM matches
            ON CONFLICT ({bare:building,enterprise}) DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM gone)
        """,
        {"now": now, "building": building_id, "fragment": f"%{fragment}%"},
    )
    added, gone = cursor.fetchone()
    return int(added), int(gone)


def suggestions_reference(building_id: int | None = None) -> set[tuple[int, int, str]]:
    """The pairs ``suggestions_refresh`` suggests, read another way: (building, enterprise,
    matched_on) for every enterprise not linked to a building its address's key names (the
    rejected among them stay rejected)."""
    buildings = {
        building.address_key: building.pk
        for building in Building.objects.all()
        if building_id is None or building.pk == building_id
    }
    expected = set()
    for enterprise in Enterprise.objects.exclude(status=Enterprise.Status.DEREGISTERED):
        found = {}
        for matched, address in (
            (BuildingSuggestion.Matched.OPERATING, enterprise.operating_address),
            (BuildingSuggestion.Matched.REGISTERED, enterprise.registered_address),
        ):
            key = address_key(address)
            if key and key in buildings and buildings[key] != enterprise.building_id:
                found[buildings[key]] = str(matched)  # registered last: it wins
        expected |= {(pk, enterprise.pk, matched) for pk, matched in found.items()}
    return expected


def contacts_history_erase(cursor, *, cutoff_at: datetime.datetime, erased: str) -> int:
    """Retention of the buildings' people: in the history, a contact removed before the
    cutoff, and a contact's earlier name and phone replaced before it, are erased (the row
    of a present contact is theirs to keep). When, by the one clock (``changed_at_sql``).
    Returns the events erased. Reference: ``contacts_history_erase_reference``."""
    ev = Table(event_model(BuildingContact), "ev")
    bare = Table(event_model(BuildingContact))
    x = Table(event_model(BuildingContact), "x")
    later = Table(event_model(BuildingContact), "later")
    c = Table(BuildingContact, "c")
    cursor.execute(
        f"""
        UPDATE {bare} AS ev SET {bare:name} = %(erased)s, {bare:phone} = '',
            {bare:organisation} = ''
        WHERE {ev.name} <> %(erased)s AND (
            (NOT EXISTS (SELECT 1 FROM {c} WHERE {c.id} = {ev.pgh_obj})
             AND (SELECT max({changed_at_sql(x)}) FROM {x} WHERE {x.pgh_obj} = {ev.pgh_obj})
                 < %(cutoff_at)s)
            OR EXISTS (
                SELECT 1 FROM {later}
                WHERE {later.pgh_obj} = {ev.pgh_obj} AND {later.pgh_id} > {ev.pgh_id}
                  AND ({later.name} <> {ev.name} OR {later.phone} <> {ev.phone})
                  AND {changed_at_sql(later)} < %(cutoff_at)s)
        )
        """,
        {"erased": erased, "cutoff_at": cutoff_at},
    )
    return cursor.rowcount


def contacts_history_erase_reference(*, cutoff_at: datetime.datetime, erased: str) -> set[int]:
    """The events ``contacts_history_erase`` erases, chosen one by one."""
    events = list(
        event_model(BuildingContact).objects.select_related("pgh_context").order_by("pgh_id")
    )
    present = set(BuildingContact.objects.values_list("pk", flat=True))
    chosen = set()
    for event in events:
        if event.name == erased:
            continue
        own = [e for e in events if e.pgh_obj_id == event.pgh_obj_id]
        removed = event.pgh_obj_id not in present and max(changed_at(e) for e in own) < cutoff_at
        replaced = any(
            e.pgh_id > event.pgh_id
            and (e.name != event.name or e.phone != event.phone)
            and changed_at(e) < cutoff_at
            for e in own
        )
        if removed or replaced:
            chosen.add(event.pgh_id)
    return chosen
