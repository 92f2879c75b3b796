"""Reads of the registry that are more than a one-line query."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from pghistory.models import Events

from registry import clock, listing, masking
from registry.access import visible_enterprises, visible_grid_areas
from registry.caching import cached
from registry.models import Enterprise, Liaison, SecurityEvent
from registry.normalize import clean_text, normalize_phone
from registry.paging import DeferredJoin
from registry.pinyin import search_key
from registry.roles import Role, user_role
from registry.sql.agents import also_liaison_count, same_person_elsewhere
from registry.sql.search import enterprise_search_q

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
    # The whole record after the event (its name when only the end date changed).
    snapshot: dict[str, Any] = field(default_factory=dict)
    # The write it belongs to (pghistory's context: one per changes_by block or import).
    context_id: str | None = None


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
                snapshot=event.pgh_data or {},
                context_id=str(event.pgh_context_id) if event.pgh_context_id else None,
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
    # "-tier": key enterprises first ("key" > "general").
    "tier": ("tier", "name", "id"),
    "-tier": ("-tier", "name", "id"),
    "status": ("status", "name", "id"),
    "-status": ("-status", "name", "id"),
}
DEFAULT_SORT = "name"

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
    # Filters of higher apps (registry.listing), e.g. {"light": "red"}.
    extra: dict[str, str] = field(default_factory=dict)
    # Enterprises picked one by one on the list (their ids), within the rest of the filter;
    # empty: every enterprise the filter matches. Never a way around the user's scope: the
    # list starts from visible_enterprises whatever the ids say.
    ids: tuple[int, ...] = ()


def sort_order(sort: str) -> tuple:
    """The order_by of a sort key, the registry's own or a higher app's (registry.listing)."""
    if sort in SORTS:
        return SORTS[sort]
    added = listing.extension_sorts().get(sort)
    return added[1] if added else SORTS[DEFAULT_SORT]


def sort_keys() -> list[str]:
    return [*SORTS, *listing.extension_sorts()]


# The protected numbers the search looks in, as "record.field".
NUMBER_SEARCH_FIELDS = ("enterprise.registered_phone", "liaison.mobile")


def may_search_partial_numbers(user) -> bool:
    """Partial digits find numbers only for those who may see the numbers whole: for anyone
    else, watching an enterprise stay in the results while adding one digit at a time would
    rebuild its masked number in a few dozen searches (PIPL art. 51)."""
    return all(masking.may_unmask(user, *dotted.split(".")) for dotted in NUMBER_SEARCH_FIELDS)


def _has_digits(q: str) -> bool:
    return any(c.isdigit() for c in q)


def whole_number(q: str) -> str | None:
    """The search text as a complete phone number, written as the registry stores it."""
    text = clean_text(q)
    if not _DIGITS.fullmatch(re.sub(r"[\s-]", "", text)):
        return None
    try:
        return normalize_phone(text)
    except ValidationError:
        return None


def number_lookup(*, user, q: str) -> str | None:
    """The whole number a search looks up by equality for a user who may not search partial
    digits (the view logs what it found: services.sensitive_lookup_record); else None."""
    number = whole_number(q)
    if number is None or may_search_partial_numbers(user):
        return None
    return number


def enterprise_search(q: str, *, worker_id: int | None = None, partial_numbers: bool = True) -> Q:
    """Partial match on name, credit code, registered phone, current liaison's name or phone,
    and on the name's pinyin and initials, forgiving typos (registry.pinyin; the query:
    registry.sql.search, one UNION of index lookups), narrowed to a grid
    worker's grids with ``worker_id``.

    Numbers match partially only with ``partial_numbers`` (a role that may see them whole);
    otherwise only a whole number matches, by equality (see may_search_partial_numbers).
    """
    q = clean_text(q)
    if not q:
        return Q()
    digits = re.sub(r"[\s-]", "", q)
    if not _DIGITS.fullmatch(digits):
        digits, number = "", None
    elif partial_numbers:
        number = None
    else:
        digits, number = "", whole_number(q)
    return enterprise_search_q(
        q.upper(),
        digits=digits,
        whole_number=number,
        worker_id=worker_id,
        pinyin_key="" if digits or number else search_key(q),
    )


def enterprise_list(*, user, filters: EnterpriseFilters) -> QuerySet[Enterprise]:
    """The enterprises a user may see, filtered and sorted, with what a list row shows."""
    worker_id = user.pk if user_role(user) == Role.GRID_WORKER else None
    enterprises = visible_enterprises(user).filter(
        enterprise_search(
            filters.q,
            worker_id=worker_id,
            # Permissions are read (two queries) only for a search that has digits.
            partial_numbers=not _has_digits(filters.q) or may_search_partial_numbers(user),
        )
    )
    if filters.grid:
        enterprises = enterprises.filter(grid__code=filters.grid)
    if filters.tier in Enterprise.Tier.values:
        enterprises = enterprises.filter(tier=filters.tier)
    if filters.status:
        enterprises = enterprises.filter(status=filters.status)
    if filters.size:
        enterprises = enterprises.filter(size=filters.size)
    if filters.industry:
        enterprises = enterprises.filter(industry=filters.industry)
    if filters.ids:
        enterprises = enterprises.filter(pk__in=list(filters.ids))
    enterprises = listing.apply(enterprises, filters.extra)
    return _list_rows(enterprises).order_by(*sort_order(filters.sort))


def _list_rows(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """What a list row shows: its grid, the extensions' columns, how many other enterprises
    its liaison is also the liaison of, its current liaisons."""
    return (
        listing.shown(enterprises.select_related("grid"))
        .annotate(also_liaison_of=also_liaison_count())
        .prefetch_related(
            Prefetch(
                "liaisons",
                queryset=Liaison.objects.filter(ended_on__isnull=True),
            )
        )
    )


def enterprise_list_rows(ids) -> QuerySet[Enterprise]:
    """The list's rows of these enterprises, as ``enterprise_list`` gives them, in no order:
    a page's, once its ids are chosen (registry.paging). Not a scope: the ids come from
    ``enterprise_list``, which is."""
    return _list_rows(Enterprise.objects.filter(pk__in=list(ids)))


def enterprise_pages(*, user, filters: EnterpriseFilters) -> DeferredJoin:
    """``enterprise_list`` for a paginator: a page's ids first, then only its rows with
    what a row shows (registry.paging), so that a deep page costs its OFFSET and no more."""
    return DeferredJoin(enterprise_list(user=user, filters=filters), enterprise_list_rows)


def enterprise_detail(*, user, uscc: str) -> Enterprise:
    """One enterprise the user may see, with its liaisons and emergency contact; 404 else."""
    return get_object_or_404(
        visible_enterprises(user)
        .select_related("grid", "emergency_contact", *listing.related_names())
        .annotate(also_liaison_of=also_liaison_count())
        .prefetch_related("liaisons"),
        uscc=clean_text(uscc).upper(),
    )


def also_liaison_in_scope(*, user, liaison: Liaison | None, limit: int = 50) -> list[Enterprise]:
    """The other enterprises this liaison is also the current liaison of (an agent, 代账),
    among those ``user`` may see: the page names only these; the count it shows
    (``also_liaison_count``) is the whole park's, and names nothing."""
    if liaison is None:
        return []
    elsewhere = same_person_elsewhere(liaison).values("enterprise")
    return list(visible_enterprises(user).filter(pk__in=elsewhere).order_by("name")[:limit])


def industries(*, user) -> list[str]:
    """The industries in the user's part of the registry, for the filter menu.

    A DISTINCT over the whole registry costs tens of milliseconds at 100k rows and changes
    rarely, so it is cached for a few minutes per scope.
    """
    scope = ",".join(str(pk) for pk in visible_grid_areas(user).values_list("pk", flat=True))
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    key = f"registry:industries:{user_role(user)}:{digest}"
    return cached(
        key,
        lambda: list(
            visible_enterprises(user)
            .exclude(industry="")
            .order_by("industry")
            .values_list("industry", flat=True)
            .distinct()
        ),
        timeout=300,
    )


# --- The security log -----------------------------------------------------------------------


@dataclass(frozen=True)
class SecurityLogFilters:
    """The log page's filters: who (part of the account name), what (one action), when
    (the park's dates, both ends included)."""

    who: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


def security_events(*, filters: SecurityLogFilters) -> QuerySet[SecurityEvent]:
    events = SecurityEvent.objects.all()
    if filters.who:
        events = events.filter(username__icontains=filters.who)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.since:
        events = events.filter(at__gte=clock.start_of_day(filters.since))
    # The last day a date field takes (9999-12-31) has no next day: no upper bound then.
    if filters.until and filters.until < date.max:
        events = events.filter(at__lt=clock.start_of_day(filters.until + timedelta(days=1)))
    return events.order_by("-at", "-id")
