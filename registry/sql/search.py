"""The enterprise list's partial search: one UNION of index lookups (registry.selectors
decides who may search what; this module only builds the query)."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.expressions import RawSQL

from registry.models import Enterprise, GridArea, Liaison
from registry.sql.names import Table

# Two-character substrings of the upper-cased name: a stored generated column with a GIN
# index that Django does not know (migration 0003 adds it by hand, for Enterprise and
# Liaison alike), filled by the database's function portal_bigrams.
NAME_BIGRAMS = "name_bigrams"


def like(text: str) -> str:
    """A LIKE pattern finding ``text`` anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _name_match(table: Table, upper_q: str) -> tuple[str, list]:
    """A name containing the text: through the bigram column and index (migration 0003)
    from two characters on, confirmed by LIKE."""
    name = f"upper({table.name}) LIKE %s"
    if len(upper_q) >= 2:
        bigrams = table.raw_column(NAME_BIGRAMS)
        return f"{bigrams} @> portal_bigrams(%s) AND {name}", [upper_q, like(upper_q)]
    return name, [like(upper_q)]


def enterprise_search_q(
    upper_q: str, *, digits: str, whole_number: str | None, worker_id: int | None
) -> Q:
    """The enterprises whose name, credit code, registered phone, or current liaison's name
    or phone holds the (upper-cased, cleaned) text ``upper_q``: partial digits match numbers
    when ``digits`` is given, else only ``whole_number`` by equality (the caller decides,
    registry.selectors.enterprise_search). With ``worker_id`` every branch is narrowed to
    that grid worker's grids first. Reference: ``enterprise_search_reference``.

    One UNION of index lookups, each served by its own index (bigrams for names, trigrams for
    codes and numbers; migrations 0002 and 0003): an OR across tables would make PostgreSQL
    read every row; narrowed per branch, a search that matches half the park still only
    touches a grid worker's part of it.
    """
    e, l = Table(Enterprise, "e"), Table(Liaison, "l")  # noqa: E741
    workers = Table(GridArea.workers.through)
    scope, scope_params = "", []
    if worker_id is not None:
        scope = (
            f" AND {e.grid} IN (SELECT {workers.gridarea} FROM {workers} WHERE {workers.user} = %s)"
        )
        scope_params = [worker_id]
    enterprise_conditions = [_name_match(e, upper_q)]
    liaison_conditions = [_name_match(l, upper_q)]
    if len(upper_q) >= 3 and upper_q.isalnum() and upper_q.isascii():
        enterprise_conditions.append((f"{e.uscc} LIKE %s", [like(upper_q)]))
    if digits:
        enterprise_conditions.append((f"{e.registered_phone} LIKE %s", [like(digits)]))
        liaison_conditions.append((f"{l.mobile} LIKE %s", [like(digits)]))
    elif whole_number:
        enterprise_conditions.append((f"{e.registered_phone} = %s", [whole_number]))
        liaison_conditions.append((f"{l.mobile} = %s", [whole_number]))

    parts, params = [], []
    for sql, sql_params in enterprise_conditions:
        parts.append(f"SELECT {e.id} FROM {e} WHERE {sql}{scope}")
        params += [*sql_params, *scope_params]
    for sql, sql_params in liaison_conditions:
        joined = f" JOIN {e} ON {e.id} = {l.enterprise}" if scope else ""
        parts.append(
            f"SELECT {l.enterprise} FROM {l}{joined} WHERE {l.ended_on} IS NULL AND {sql}{scope}"
        )
        params += [*sql_params, *scope_params]
    return Q(pk__in=RawSQL(" UNION ".join(parts), params))


def enterprise_search_reference(
    upper_q: str, *, digits: str, whole_number: str | None, worker_id: int | None
) -> Q:
    """``enterprise_search_q`` through the ORM (an OR across tables: right, and slow)."""
    current = Q(liaisons__ended_on__isnull=True)
    found = Q(name__icontains=upper_q) | (current & Q(liaisons__name__icontains=upper_q))
    if len(upper_q) >= 3 and upper_q.isalnum() and upper_q.isascii():
        found |= Q(uscc__contains=upper_q)
    if digits:
        found |= Q(registered_phone__contains=digits)
        found |= current & Q(liaisons__mobile__contains=digits)
    elif whole_number:
        found |= Q(registered_phone=whole_number) | (current & Q(liaisons__mobile=whole_number))
    ids = Enterprise.objects.filter(found)
    if worker_id is not None:
        ids = ids.filter(grid__workers=worker_id)
    return Q(pk__in=ids.values("pk"))
