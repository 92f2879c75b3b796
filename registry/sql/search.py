"""The enterprise list's partial search: one UNION of index lookups (registry.selectors
decides who may search what; this module only builds the query)."""

from __future__ import annotations

from django.db.models import ExpressionWrapper, Q, TextField
from django.db.models.expressions import RawSQL

from registry.models import PINYIN_INITIALS, Enterprise, GridArea, Liaison
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


# A pinyin key from this many letters looks for names with a similar pinyin (typos), by
# pg_trgm's word similarity (its default threshold, 0.6): shorter keys match too much.
TYPO_FROM = 5


def _pinyin_key(key: str) -> bool:
    return len(key) >= 2 and not key.isdigit()


# The initials in name_pinyin (its second word), as the index enterprise_initials_bigram has it.
def _initials(table: Table) -> str:
    return f"split_part({table.name_pinyin}, ' ', 2)"


def _pinyin_match(table: Table, key: str) -> list[tuple[str, list]]:
    """The name's pinyin or initials holding the key (``huaxin``; homophones of a Chinese
    search too) through the trigram index on the pinyin; two letters are initials (``hx``),
    through the initials' bigram index (trigrams cannot serve two letters: the column would
    be read whole, ~100 ms at 100,000)."""
    if not _pinyin_key(key):
        return []
    if len(key) == 2:
        initials = _initials(table)
        return [
            (
                f"portal_bigrams({initials}) @> portal_bigrams(%s) AND {initials} LIKE %s",
                [key, like(key)],
            )
        ]
    return [(f"{table.name_pinyin} LIKE %s", [like(key)])]


def _typo_match(table: Table, key: str) -> list[tuple[str, list]]:
    """From TYPO_FROM letters, a name whose pinyin is like the key (pg_trgm's word similarity,
    the same trigram index)."""
    if _pinyin_key(key) and len(key) >= TYPO_FROM:
        return [(f"%s <%% {table.name_pinyin}", [key])]
    return []


def enterprise_search_q(
    upper_q: str,
    *,
    digits: str,
    whole_number: str | None,
    worker_id: int | None,
    pinyin_key: str = "",
) -> Q:
    """The enterprises whose name, credit code, registered phone, or current liaison's name
    or phone holds the (upper-cased, cleaned) text ``upper_q``, or whose name's pinyin holds
    or resembles ``pinyin_key`` (registry.pinyin.search_key): partial digits match numbers
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
    enterprise_conditions = [_name_match(e, upper_q), *_pinyin_match(e, pinyin_key)]
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
    found = " UNION ".join(parts)
    typos = _typo_match(e, pinyin_key)
    if not typos:
        return Q(pk__in=RawSQL(found, params))
    # Typos are forgiven only when nothing matches as typed: 测试企业7 must not bring
    # 测试企业1 to 9 along (their pinyin differs by one letter).
    ((typo, typo_params),) = typos
    return Q(
        pk__in=RawSQL(
            f"WITH found AS ({found}) SELECT {e.column('id')} FROM found UNION ALL "
            f"SELECT {e.id} FROM {e} WHERE NOT EXISTS (SELECT FROM found) AND {typo}{scope}",
            [*params, *typo_params, *scope_params],
        )
    )


def enterprise_search_reference(
    upper_q: str,
    *,
    digits: str,
    whole_number: str | None,
    worker_id: int | None,
    pinyin_key: str = "",
) -> Q:
    """``enterprise_search_q`` through the ORM (an OR across tables: right, and slow)."""
    current = Q(liaisons__ended_on__isnull=True)
    found = Q(name__icontains=upper_q) | (current & Q(liaisons__name__icontains=upper_q))
    if _pinyin_key(pinyin_key) and len(pinyin_key) == 2:
        initials = Enterprise.objects.alias(
            initials=ExpressionWrapper(PINYIN_INITIALS, output_field=TextField())
        ).filter(initials__contains=pinyin_key)
        found |= Q(pk__in=initials.values("pk"))
    elif _pinyin_key(pinyin_key):
        found |= Q(name_pinyin__contains=pinyin_key)
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
    if _typo_match(Table(Enterprise), pinyin_key) and not ids.exists():
        ids = Enterprise.objects.filter(name_pinyin__trigram_word_similar=pinyin_key)
        if worker_id is not None:
            ids = ids.filter(grid__workers=worker_id)
    return Q(pk__in=ids.values("pk"))
