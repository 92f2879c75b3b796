"""Enterprises chosen on the list for a bulk action (send personal links, a campaign, an
export): the ones ticked, or every one the list's filter matches.

"All that match" travels as the filter itself and is evaluated again on the server, as one
query: never a list of ids in a URL. Ticked enterprises travel as their ids (a page's worth);
each must be one the user may see, or nothing at all is done (a grid worker who edits the ids
to reach another grid gets a refusal, not half an action).
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import ServiceError
from registry import listing
from registry.access import visible_enterprises
from registry.ids import parse_id
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters, enterprise_list, sort_keys

# Ticked one by one: a few pages at most (the list shows 50 a page); more is "all that match".
MAX_TICKED = 500


class SelectionRefused(ServiceError):
    """Some ticked enterprise is outside the user's scope (or does not exist)."""


def enterprise_filters(query: Mapping[str, str]) -> EnterpriseFilters:
    """The enterprise list's filters from a query (``request.GET``, or a form's POST that
    carries the same fields): a value outside a menu is ignored, as on the list page (the
    API refuses it instead). Shared with the campaign form, which picks its enterprises
    with the list's own filters."""
    sort = query.get("sort", "")
    return EnterpriseFilters(
        q=query.get("q", "")[:100],
        grid=query.get("grid", "")[:32],
        tier=query.get("tier", "") if query.get("tier") in Enterprise.Tier.values else "",
        status=query.get("status", "") if query.get("status") in Enterprise.Status.values else "",
        size=query.get("size", "") if query.get("size") in Enterprise.Size.values else "",
        industry=query.get("industry", "")[:100],
        sort=sort if sort in sort_keys() else "name",
        extra=listing.valid_extra(query),
    )


def ticked_ids(query) -> tuple[int, ...] | None:
    """The ids ticked (``e``, repeated) in a QueryDict, sorted and once each; None when one of
    them is no id; () when none is ticked."""
    raw = query.getlist("e") if hasattr(query, "getlist") else []
    ids = {parse_id(value) for value in raw[: MAX_TICKED + 1]}
    if None in ids:
        return None
    return tuple(sorted(ids))


def selection_filters(query) -> EnterpriseFilters:
    """The filters a form with a selection stands for, without checking it (the reads that
    use it start from the user's scope): the ticked enterprises alone, or the list's filter."""
    ids = ticked_ids(query)
    if ids:
        return EnterpriseFilters(ids=ids)
    return enterprise_filters(query)


@dataclass(frozen=True)
class Selection:
    filters: EnterpriseFilters
    count: int
    all_matching: bool

    def enterprises(self, user) -> QuerySet[Enterprise]:
        return enterprise_list(user=user, filters=self.filters)


def selection_read(*, user, query) -> Selection:
    """The selection a bulk action's form posted, checked: ServiceError (code ``empty``,
    ``invalid``, ``too_many``) for nothing or nonsense ticked, SelectionRefused when a ticked
    enterprise is not the user's to see. Two queries."""
    if query.get("all") == "1":
        filters, all_matching = replace(enterprise_filters(query), ids=()), True
    else:
        ids = ticked_ids(query)
        if ids is None:
            raise ServiceError(_("The selection is not valid."), code="invalid")
        if not ids:
            raise ServiceError(_("Select at least one enterprise."), code="empty")
        if len(ids) > MAX_TICKED:
            raise ServiceError(
                _("Tick at most %(max)d enterprises, or choose all that match the filter.")
                % {"max": MAX_TICKED},
                code="too_many",
            )
        if visible_enterprises(user).filter(pk__in=ids).count() != len(ids):
            raise SelectionRefused(
                _(
                    "Some of the selected enterprises are not yours to work on. Nothing was "
                    "done; reload the list and select again."
                ),
                code="out_of_scope",
            )
        filters, all_matching = EnterpriseFilters(ids=ids), False
    count = enterprise_list(user=user, filters=filters).order_by().count()
    if not count:
        raise ServiceError(_("No enterprise matches the selection."), code="empty")
    return Selection(filters=filters, count=count, all_matching=all_matching)
