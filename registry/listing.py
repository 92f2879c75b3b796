"""Columns, filters and sorts that higher apps add to the enterprise list (the page and the
API), without the registry importing them.

A ``ListExtension`` is registered with ``register_list_extension`` from the higher app's
AppConfig.ready (as timeline sources and panels are). It names:

- ``name``: the query parameter of its filter (``?light=red``) on the page and the API;
- ``label`` and ``choices``: the filter menu; a value outside ``choices`` is ignored on the
  page and refused (400) by the API;
- ``related``: names for ``select_related`` on the list and the detail, so that the column
  costs a join and never a query per row (the list's bounded query count holds);
- ``filter(queryset, value)``: the queryset narrowed to one choice;
- ``sorts``: ``{key: (label, order_by)}`` added to the list's sort menu;
- ``cell(enterprise)``: safe HTML for the list row's column (headed ``label``), or, with
  ``beside_name``, shown beside the enterprise's name instead of in a column of its own (the
  light: read at a glance while scanning names);
- ``header_sort``: the sort key (one of ``sorts``) a click on its column header orders by;
- ``api_fields()``: read-only DRF fields added to the enterprise resource (list and detail).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from registry.models import Enterprise


@dataclass(frozen=True)
class ListExtension:
    name: str
    label: str | Promise
    choices: Sequence[tuple[str, str | Promise]]
    filter: Callable[[QuerySet[Enterprise], str], QuerySet[Enterprise]]
    cell: Callable[[Enterprise], str]
    related: Sequence[str] = ()
    sorts: dict[str, tuple[str | Promise, tuple[Any, ...]]] = field(default_factory=dict)
    api_fields: Callable[[], dict[str, Any]] = dict
    # Annotations the cell reads (one subquery in the list's query, never a query per row).
    annotate: Callable[[QuerySet[Enterprise]], QuerySet[Enterprise]] | None = None
    beside_name: bool = False
    header_sort: str = ""


_EXTENSIONS: dict[str, ListExtension] = {}


def register_list_extension(extension: ListExtension) -> None:
    _EXTENSIONS[extension.name] = extension


def list_extensions() -> list[ListExtension]:
    return list(_EXTENSIONS.values())


def extension_sorts() -> dict[str, tuple[str | Promise, tuple[Any, ...]]]:
    return {key: sort for ext in _EXTENSIONS.values() for key, sort in ext.sorts.items()}


def valid_extra(values: dict[str, str]) -> dict[str, str]:
    """The extension filters among ``values`` whose value is one of their choices."""
    kept = {}
    for name, ext in _EXTENSIONS.items():
        value = values.get(name) or ""
        if value in {choice for choice, _label in ext.choices}:
            kept[name] = value
    return kept


def apply(queryset: QuerySet[Enterprise], extra: dict[str, str]) -> QuerySet[Enterprise]:
    """Narrow by the extensions' filters (what they show: ``shown``)."""
    for name, value in extra.items():
        ext = _EXTENSIONS.get(name)
        if ext is not None and value:
            queryset = ext.filter(queryset, value)
    return queryset


def shown(queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """Join and annotate what the extensions show in a row. Apart from ``apply`` so that a
    page's rows get it and the rows its OFFSET skips do not (registry.paging)."""
    related = related_names()
    if related:
        queryset = queryset.select_related(*related)
    for ext in _EXTENSIONS.values():
        if ext.annotate is not None:
            queryset = ext.annotate(queryset)
    return queryset


def related_names() -> list[str]:
    return [name for ext in _EXTENSIONS.values() for name in ext.related]


def column_extensions() -> list[ListExtension]:
    """The extensions shown in a column of their own."""
    return [ext for ext in _EXTENSIONS.values() if not ext.beside_name]


def cells(enterprise: Enterprise) -> list[str]:
    return [ext.cell(enterprise) for ext in column_extensions()]


def name_cells(enterprise: Enterprise) -> list[str]:
    """What the extensions show beside the enterprise's name."""
    return [ext.cell(enterprise) for ext in _EXTENSIONS.values() if ext.beside_name]


def api_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for ext in _EXTENSIONS.values():
        fields.update(ext.api_fields())
    return fields


@dataclass(frozen=True)
class BulkAction:
    """A button of the enterprise list's selection bar: the selection (registry.selection) is
    posted to ``url_name``, a view of the app that registered it, for users ``allowed``."""

    name: str
    label: str | Promise
    url_name: str
    allowed: Callable[[Any], bool]
    order: int = 100


_BULK_ACTIONS: dict[str, BulkAction] = {}


def register_bulk_action(action: BulkAction) -> None:
    _BULK_ACTIONS[action.name] = action


def bulk_actions(user) -> list[BulkAction]:
    """The selection bar's actions this user may take, in their order."""
    actions = sorted(_BULK_ACTIONS.values(), key=lambda action: (action.order, action.name))
    return [action for action in actions if action.allowed(user)]
