"""Pieces of registry SQL that higher apps put in their statements, so that a registry rule
(who a grid's workers are, which liaison is the current one) is written here once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from registry.models import GridArea
from registry.sql.names import Table


def grid_workers_cte(name: str = "workers") -> str:
    """A CTE ``name`` (``gridarea_id``, ``ids``): the active grid workers of every grid, in
    a fixed order (their ids ascending). Reference: ``grid_workers_reference``."""
    w = Table(GridArea.workers.through, "w")
    u = Table(get_user_model(), "u")
    return f"""
{name} AS (
    SELECT {w.gridarea} AS gridarea_id, array_agg({w.user} ORDER BY {w.user}) AS ids
    FROM {w}
    JOIN {u} ON {u.id} = {w.user} AND {u.is_active}
    GROUP BY {w.gridarea}
)"""


def grid_workers_reference(grid_id: int | None) -> QuerySet:
    """The active workers of one grid in ``grid_workers_cte``'s order."""
    return get_user_model().objects.filter(grid_areas=grid_id, is_active=True).order_by("pk")


def current_liaison_join(enterprise: Table, liaison: Table) -> str:
    """``LEFT JOIN`` the enterprise's current liaison (at most one: the period not ended,
    held by the index ``liaison_one_current_per_enterprise``)."""
    return (
        f"LEFT JOIN {liaison} ON {liaison.enterprise} = {enterprise.id} "
        f"AND {liaison.ended_on} IS NULL"
    )
