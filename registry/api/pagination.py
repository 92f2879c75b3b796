"""Pages of 50 like the list page; a client may ask for up to 200.

Two ways through a list (issue 22):

- **Page numbers** (``?page=``), the default, for people and existing clients. A view may
  offer an estimate of its count (``count_estimate(queryset)``): where an exact ``COUNT(*)``
  would scan a large unfiltered set, the planner's row estimate stands in and the response
  says so (``count_is_estimate``); the pages after it are still served, and ``next`` is given
  while a page comes back full.
- **A cursor** (``?paginate=cursor``, then the ``next`` links' ``?cursor=``), for clients that
  walk the whole registry, on views that name a unique, indexed ``cursor_ordering`` (DRF's
  ``CursorPagination``): every page costs what the first does (``WHERE id > …``, no OFFSET), and
  a row inserted or deleted meanwhile neither repeats nor skips another. The cursor is signed
  (``django.core.signing``): a cursor made up or altered is a 400 naming ``cursor``, never a 500.
"""

from django.core import signing
from django.core.paginator import EmptyPage, Page
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from registry.api.fields import AsciiIntegerField
from registry.ids import parse_id
from registry.paging import DeferredJoin

MAX_PAGE_SIZE = 200
CURSOR = "cursor"
PAGINATE = "paginate"
# The salt binds a signature to its use: a value signed elsewhere with the same key is no cursor.
_CURSOR_SALT = "registry.api.cursor"


class _EstimatedPaginator(DjangoPaginator):
    """A Django paginator whose count is an estimate: any page number from 1 is served (the
    true count may be above the estimate); one row more than a page tells whether one follows."""

    def __init__(self, object_list, per_page, *, estimate: int):
        super().__init__(object_list, per_page)
        self.estimate = estimate

    @cached_property
    def count(self) -> int:
        return self.estimate

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise EmptyPage(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return _EstimatedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class _EstimatedPage(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class RegistryCursorPagination(CursorPagination):
    """DRF's cursor pagination with a signed cursor and the API's 400s."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = _("Invalid cursor: start again from the first page.")

    def __init__(self, ordering: tuple[str, ...]):
        self.ordering = ordering

    def get_ordering(self, request, queryset, view):
        return self.ordering

    def get_page_size(self, request):
        return _page_size(request, self.page_size_query_param, self.page_size)

    @staticmethod
    def cursor_after(position: str) -> str:
        """The cursor of the page after the row at ``position`` (its id), as a next link
        carries it: for tools and benchmarks that start a walk midway."""
        return signing.dumps([0, 0, position], salt=_CURSOR_SALT)

    def encode_cursor(self, cursor: Cursor) -> str:
        token = signing.dumps(
            [cursor.offset, int(cursor.reverse), cursor.position], salt=_CURSOR_SALT
        )
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            offset, reverse, position = signing.loads(encoded, salt=_CURSOR_SALT)
        except (signing.BadSignature, TypeError, ValueError):
            raise self._invalid() from None
        # Signed by us, so well formed; checked all the same, as anything that reaches SQL.
        valid = (
            isinstance(offset, int)
            and 0 <= offset <= self.offset_cutoff
            and reverse in (0, 1)
            and (position is None or parse_id(position) is not None)
        )
        if not valid:
            raise self._invalid()
        return Cursor(offset=offset, reverse=bool(reverse), position=position)

    def _invalid(self) -> serializers.ValidationError:
        return serializers.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class RegistryPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    count_is_estimate = False
    cursor_pagination: RegistryCursorPagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        ordering = getattr(view, "cursor_ordering", None)
        if ordering and _wants_cursor(request):
            self.cursor_pagination = RegistryCursorPagination(ordering)
            return self.cursor_pagination.paginate_queryset(queryset, request, view)
        estimate = getattr(view, "count_estimate", None)
        counted = estimate(queryset) if estimate else None
        rows = getattr(view, "page_rows", None)
        if rows is not None:
            # A page's ids first, then its rows alone: the OFFSET skips rows without their
            # annotations (registry.paging). The cursor's pages have no OFFSET to skip.
            queryset = DeferredJoin(queryset, rows)
        if counted is not None:
            self.count_is_estimate = True
            self.django_paginator_class = lambda rows, size: _EstimatedPaginator(
                rows, size, estimate=counted
            )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor_pagination is not None:
            return self.cursor_pagination.get_paginated_response(data)
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": self.count_is_estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"]["description"] = (
            "How many match; absent from a cursor's pages. An estimate where "
            "count_is_estimate is true."
        )
        properties["count_is_estimate"] = {
            "type": "boolean",
            "description": "True when count is the planner's estimate of a large unfiltered "
            "list (an exact count would scan it); absent from a cursor's pages.",
        }
        described["required"] = ["next", "previous", "results"]
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"{parameter['description']} (1–{MAX_PAGE_SIZE})"
        if getattr(view, "cursor_ordering", None):
            parameters += [
                {
                    "name": PAGINATE,
                    "required": False,
                    "in": "query",
                    "description": "cursor: pages in a stable order (by id) linked by cursors, "
                    "each as fast as the first, for walking the whole list; page (default): "
                    "page numbers. Not with page or sort.",
                    "schema": {"type": "string", "enum": ["page", "cursor"]},
                },
                {
                    "name": CURSOR,
                    "required": False,
                    "in": "query",
                    "description": "The cursor of a next or previous link (opaque, signed); "
                    "implies paginate=cursor.",
                    "schema": {"type": "string", "minLength": 1},
                },
            ]
        return parameters

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param)
        if page in self.last_page_strings:
            return paginator.num_pages
        return _positive_int(self.page_query_param, page) or 1

    def get_page_size(self, request):
        return _page_size(request, self.page_size_query_param, self.page_size)


def _wants_cursor(request) -> bool:
    """Cursor pages when asked for (``paginate=cursor``) or a cursor is sent; a 400 for what
    cannot go with them (a page number, a sort: the order is the cursor's) or a bad value."""
    params = request.query_params
    mode = params.get(PAGINATE)
    if mode not in (None, "page", "cursor"):
        raise serializers.ValidationError(
            {
                PAGINATE: [
                    serializers.ChoiceField.default_error_messages["invalid_choice"].format(
                        input=mode
                    )
                ]
            }
        )
    if CURSOR not in params and mode != "cursor":
        return False
    if mode == "page":
        raise serializers.ValidationError({CURSOR: [_("A cursor goes with paginate=cursor.")]})
    refused = {
        name: [_("Not with cursor pages: they are in the order of the cursor.")]
        for name in ("page", "sort")
        if params.get(name)
    }
    if refused:
        raise serializers.ValidationError(refused)
    return True


def _page_size(request, name: str, default: int) -> int:
    size = _positive_int(name, request.query_params.get(name))
    return min(size, MAX_PAGE_SIZE) if size else default


def _positive_int(name: str, value: str | None) -> int | None:
    """A query parameter that must be a positive integer: a 400 naming it otherwise (DRF's
    default would be a 404 for ``page=abc`` and silence for ``page_size=abc``)."""
    if value is None:
        return None
    # An empty ?page= is not a page number: refused as the schema says (integer, minimum 1).
    try:
        return AsciiIntegerField(min_value=1).run_validation(value)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from error
