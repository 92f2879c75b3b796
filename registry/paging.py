"""Deep pages by a deferred join (issue 22).

``OFFSET n`` makes the database build and throw away ``n`` rows, and with them whatever the
query computes per row: the enterprise list's subqueries (an agent's other enterprises, the
annual report) ran for the ~50,000 rows that page 1000 skips. A ``DeferredJoin`` pages in two
queries: the page's ids from the same queryset narrowed to its primary key (its filters, joins
and order; Django leaves out the annotations, ``select_related`` and prefetches that
``values_list`` does not name), then the rows of those ids alone with what a row shows, put
back in the ids' order. Its count is the queryset's own ``count()``, from which Django strips
the annotations that no filter or order uses.

Django's paginators take it as they take a queryset (``count()``, ``ordered``, slices).
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet


class DeferredJoin:
    def __init__(self, queryset: QuerySet, rows: Callable[[Sequence[Any]], QuerySet]):
        """``rows(ids)``: the rows of these primary keys with what a row shows, any order."""
        self.queryset = queryset
        self.rows = rows

    def count(self) -> int:
        return self.queryset.count()

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list:
        if not isinstance(key, slice):
            raise TypeError("A DeferredJoin is read a page (a slice) at a time.")
        ids = list(self.queryset.values_list("pk", flat=True)[key])
        if not ids:
            return []
        found = {row.pk: row for row in self.rows(ids)}
        # A row deleted between the two queries is left out, as it would be a moment later.
        return [found[pk] for pk in ids if pk in found]
