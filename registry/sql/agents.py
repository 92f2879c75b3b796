"""Bookkeeping agents (代账) who are the liaison of several enterprises: how many other
enterprises the same person is the current liaison of — the same mobile, or the same ID
number where both have one. One correlated count per enterprise row, computed by Postgres
after the list's sort and limit (only for the rows shown), by two index lookups (the
mobile's index and the current ID numbers' partial index): no query per row.

Reference: ``also_liaison_reference``; tests/registry/test_agents.py holds the two equal.
"""

from __future__ import annotations

from django.db.models import IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL

from registry.models import Enterprise, Liaison
from registry.sql.names import Table, quoted


def also_liaison_count() -> RawSQL:
    """An annotation for a queryset of enterprises (the table unaliased, as the ORM leaves
    it): how many OTHER enterprises their current liaison is also the current liaison of
    (0 without a current liaison)."""
    e = Table(Enterprise, quoted(Enterprise._meta.db_table))
    c, o = Table(Liaison, "agent_c"), Table(Liaison, "agent_o")
    # Two equality joins in a UNION (an enterprise found both ways counts once), each an
    # index lookup (the mobile's index, the current ID numbers' partial index): one join on
    # "same mobile OR same ID number" read every current liaison for every row.
    found_by = [
        f"""SELECT {o.enterprise} FROM {c}
            JOIN {o} ON {o.ended_on} IS NULL AND {o.enterprise} <> {c.enterprise}
                    AND {getattr(o, column)} = {getattr(c, column)}
                    AND {getattr(o, column)} <> ''
            WHERE {c.enterprise} = {e.id} AND {c.ended_on} IS NULL"""
        for column in ("mobile", "id_number")
    ]
    sql = f"(SELECT count(*) FROM ({' UNION '.join(found_by)}) AS agent_of)"
    return RawSQL(sql, [], output_field=IntegerField())


def same_person_elsewhere(liaison: Liaison) -> QuerySet[Liaison]:
    """The current liaisons of other enterprises who are the same person as ``liaison``: the
    same mobile, or the same ID number where it has one (``also_liaison_count``'s rule,
    through the ORM)."""
    same = Q(mobile=liaison.mobile)
    if liaison.id_number:
        same |= Q(id_number=liaison.id_number)
    return Liaison.objects.filter(same, ended_on__isnull=True).exclude(
        enterprise=liaison.enterprise_id
    )


def also_liaison_reference(enterprise: Enterprise) -> int:
    """``also_liaison_count`` for one enterprise, through the ORM."""
    current = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
    if current is None:
        return 0
    return same_person_elsewhere(current).values("enterprise").distinct().count()
