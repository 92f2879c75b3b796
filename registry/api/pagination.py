"""Pages of 50 like the list page; a client may ask for up to 200."""

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

from registry.api.fields import AsciiIntegerField

MAX_PAGE_SIZE = 200


class RegistryPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"{parameter['description']} (1–{MAX_PAGE_SIZE})"
        return parameters

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param)
        if page in self.last_page_strings:
            return paginator.num_pages
        return _positive_int(self.page_query_param, page) or 1

    def get_page_size(self, request):
        size = _positive_int(
            self.page_size_query_param, request.query_params.get(self.page_size_query_param)
        )
        return min(size, self.max_page_size) if size else self.page_size


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
