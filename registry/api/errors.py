"""Every error of the API as one JSON shape, in the request's language.

    400  {"errors": {"<field>": ["message", …], "non_field_errors": […]}}
    409  {"errors": {"non_field_errors": [...]}, "current": {<field>: value}, "version": n}
    401/403/404/405/413/415  {"errors": {"detail": ["message"]}}

The services' errors (django ValidationError from full_clean, core.errors.ServiceError)
become 400s with the field named; a PermissionDenied from a service is a 403. Messages are
lazy translations, rendered in the language LocaleMiddleware chose for the request.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError, StaleEdit

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class Conflict(APIException):
    """A stale optimistic-concurrency save: the client's version is not the record's."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"

    def __init__(self, *, error: StaleEdit, current: dict[str, Any]):
        super().__init__(detail=error.message, code="stale")
        self.current = current
        self.version = error.version


def service_error_dict(error: DjangoValidationError | ServiceError) -> dict[str, list[str]]:
    """A service's refusal as ``{field: [messages]}``."""
    if isinstance(error, ServiceError):
        return {error.field or NON_FIELD: [str(error.message)]}
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def exception_handler(exc, context):
    if isinstance(exc, StaleEdit):
        # The views turn it into a Conflict with the current values masked; a StaleEdit that
        # reaches here unconverted must not show its raw values.
        exc = Conflict(error=exc, current={})
    if isinstance(exc, Conflict):
        body = {"errors": {NON_FIELD: [exc.detail]}, "current": exc.current}
        return Response({**body, "version": exc.version}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError | ServiceError):
        return Response({"errors": service_error_dict(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, Http404):
        # Django's message names the model ("No Enterprise matches…") and is not translated.
        exc = NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling and logging
    data = response.data
    if isinstance(exc, ValidationError):
        errors = data if isinstance(data, dict) else {NON_FIELD: data}
    elif isinstance(data, dict) and set(data) == {"detail"}:
        errors = {"detail": [data["detail"]]}
    else:
        errors = data if isinstance(data, dict) else {"detail": data}
    response.data = {"errors": errors}
    return response
