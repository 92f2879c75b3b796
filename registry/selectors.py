"""Reads of the registry that are more than a one-line query."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from pghistory.models import Events

from registry.access import visible_enterprises
from registry.models import Enterprise, Liaison
from registry.normalize import clean_text

# Bookkeeping columns that change with every save and say nothing to a reader.
_NOISE = {"version", "updated_at", "created_at", "id", "enterprise"}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    record: str  # "enterprise" | "liaison" | "emergencycontact"
    action: str  # "insert" | "update" | "delete"
    record_id: str
    door: str | None
    user_id: int | None
    username: str | None
    changes: dict[str, Any]  # field -> [old, new] for updates; field -> value for inserts
    context: dict[str, Any]


def enterprise_history(*, enterprise: Enterprise) -> list[HistoryEntry]:
    """Everything that happened to an enterprise and its liaisons and emergency contact,
    oldest first: one query over all the history tables."""
    events = (
        Events.objects.references(enterprise)
        .filter(
            pgh_model__in=[
                "registry.EnterpriseEvent",
                "registry.LiaisonEvent",
                "registry.EmergencyContactEvent",
            ]
        )
        .order_by("pgh_created_at", "pgh_id")
    )
    entries = []
    for event in events:
        context = event.pgh_context or {}
        action = event.pgh_label
        if action == "update":
            changes = {k: v for k, v in (event.pgh_diff or {}).items() if k not in _NOISE}
            if not changes:
                continue
        else:
            changes = {
                k: v
                for k, v in (event.pgh_data or {}).items()
                if k not in _NOISE and not k.endswith("_id") and v not in ("", None)
            }
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                record=event.pgh_obj_model.split(".")[-1].lower(),
                action=action,
                record_id=event.pgh_obj_id,
                door=context.get("door"),
                user_id=context.get("user"),
                username=context.get("username"),
                changes=changes,
                context=context,
            )
        )
    return entries


# --- The enterprise list ----------------------------------------------------------------

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "uscc": ("uscc",),
    "-uscc": ("-uscc",),
    "grid": ("grid__code", "name", "id"),
    "-grid": ("-grid__code", "-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "name"

_KEY = Q(key_taxpayer=True) | Q(pre_approval=True) | Q(marked_key=True)
_DIGITS = re.compile(r"[0-9]{3,}")


@dataclass(frozen=True)
class EnterpriseFilters:
    """What the list page and the API filter by; every field optional."""

    q: str = ""
    grid: str = ""  # GridArea.code
    tier: str = ""  # Enterprise.Tier
    status: str = ""
    size: str = ""
    industry: str = ""
    sort: str = DEFAULT_SORT


def enterprise_search(q: str) -> Q:
    """Partial match on name, credit code, current liaison's name or phone.

    Served by trigram GIN indexes (see the migration), so `%…%` stays fast at 100k rows.
    """
    q = clean_text(q)
    if not q:
        return Q()
    # Uncorrelated sub-selects: PostgreSQL runs each once, through its index, and hashes it.
    current = Liaison.objects.filter(ended_on__isnull=True)
    condition = Q(name__icontains=q) | Q(uscc__contains=q.upper())
    condition |= Q(pk__in=current.filter(name__icontains=q).values("enterprise_id"))
    digits = re.sub(r"[\s-]", "", q)
    if _DIGITS.fullmatch(digits):
        condition |= Q(pk__in=current.filter(mobile__contains=digits).values("enterprise_id"))
        condition |= Q(registered_phone__contains=digits)
    return condition


def enterprise_list(*, user, filters: EnterpriseFilters) -> QuerySet[Enterprise]:
    """The enterprises a user may see, filtered and sorted, with what a list row shows."""
    enterprises = visible_enterprises(user).filter(enterprise_search(filters.q))
    if filters.grid:
        enterprises = enterprises.filter(grid__code=filters.grid)
    if filters.tier == Enterprise.Tier.KEY:
        enterprises = enterprises.filter(_KEY)
    elif filters.tier == Enterprise.Tier.GENERAL:
        enterprises = enterprises.exclude(_KEY)
    if filters.status:
        enterprises = enterprises.filter(status=filters.status)
    if filters.size:
        enterprises = enterprises.filter(size=filters.size)
    if filters.industry:
        enterprises = enterprises.filter(industry=filters.industry)
    return (
        enterprises.select_related("grid")
        .prefetch_related(
            Prefetch(
                "liaisons",
                queryset=Liaison.objects.filter(ended_on__isnull=True),
            )
        )
        .order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))
    )


def enterprise_detail(*, user, uscc: str) -> Enterprise:
    """One enterprise the user may see, with its liaisons and emergency contact; 404 else."""
    return get_object_or_404(
        visible_enterprises(user)
        .select_related("grid", "emergency_contact")
        .prefetch_related("liaisons"),
        uscc=clean_text(uscc).upper(),
    )


def industries(*, user) -> list[str]:
    return list(
        visible_enterprises(user)
        .exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
