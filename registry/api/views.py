"""The registry's API views: thin, like the pages.

Reads start from registry.selectors (scoped by registry.access: an enterprise outside a
grid worker's grids is a 404, its existence does not leak); writes call registry.services
only. Field rules the pages hold are held here too: moving an enterprise between grids or
marking it key is office work (admins and staff), and nobody writes a protected field they
may not see. A protected value sent back exactly as it was read (masked) means "keep".
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.fields import Field
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.addresses import client_address
from accounts.api import TokenRequestSerializer, token_user
from core.errors import ServiceError, StaleEdit
from core.replica import reads_from_replica
from registry import masking, security_log, services
from registry.access import SEE_EVERYTHING, visible_grid_areas, visible_liaisons
from registry.api import serializers as s
from registry.api.errors import Conflict, service_error_dict
from registry.api.permissions import RegistryOffice
from registry.models import EmergencyContact, Enterprise, GridArea, Liaison, SensitiveView
from registry.normalize import clean_text
from registry.roles import Role, user_role
from registry.selectors import (
    EnterpriseFilters,
    enterprise_detail,
    enterprise_history,
    enterprise_list,
    enterprise_list_rows,
    number_lookup,
)
from registry.sql.estimates import row_estimate

# Moving an enterprise between grids or marking it key is for staff and admins (as on the
# enterprise edit page).
OFFICE_ONLY = {"grid", "marked_key"}
OFFICE = {Role.ADMIN, Role.STAFF}

USCC = OpenApiParameter(
    "uscc",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="统一社会信用代码 (unified social credit code) of the enterprise.",
)


def _errors(*codes: int, conflict: bool = False) -> dict:
    answers = {
        400: "Invalid input; the fields are named.",
        401: "Not authenticated.",
        403: "Your role may not do this.",
        404: "No such enterprise (or record) that you can see.",
    }
    responses = {code: OpenApiResponse(s.ErrorSerializer, answers[code]) for code in codes}
    if conflict:
        responses[409] = OpenApiResponse(
            s.ConflictSerializer, "Someone saved the record after the version you sent."
        )
    return responses


READ_ERRORS = _errors(400, 401, 403, 404)
WRITE_ERRORS = _errors(400, 401, 403, 404, conflict=True)


def _validated(serializer_class, request, **kwargs) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _writable(user, kind: str, instance, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes this user may make; a 403 naming the fields they may not write."""
    role = user_role(user)
    kept, refused = {}, {}
    for name, value in changes.items():
        if masking.is_protected(kind, name) and instance is not None:
            stored = getattr(instance, name)
            if (value or "") == masking.masked(kind, name, stored):
                continue  # the masked value as it was read: keep what is stored
        office_only = kind == "enterprise" and name in OFFICE_ONLY and role not in OFFICE
        if office_only or not masking.may_unmask(user, kind, name):
            refused[name] = [PermissionDenied.default_detail]
        kept[name] = value
    if refused:
        raise PermissionDenied(refused)
    return kept


@contextmanager
def _fresh(kind: str) -> Iterator[None]:
    """A stale save becomes a 409 carrying the record's present values, masked."""
    try:
        yield
    except StaleEdit as error:
        raise Conflict(error=error, current=s.shown_values(kind, error.current)) from error


@contextmanager
def _nested(name: str) -> Iterator[None]:
    """A service's refusal for a nested object, with its fields under the object's name."""
    try:
        yield
    except (DjangoValidationError, ServiceError) as error:
        raise ValidationError({name: service_error_dict(error)}) from error


def _detail(request, uscc: str) -> Enterprise:
    try:
        return enterprise_detail(user=request.user, uscc=uscc)
    except DjangoValidationError as error:
        # The code field normalises the lookup value, so a malformed code raises instead of
        # matching nothing: no such enterprise, all the same.
        raise NotFound from error


def _detail_response(request, uscc: str, **kwargs) -> Response:
    enterprise = _detail(request, uscc)
    return Response(s.EnterpriseDetailSerializer(enterprise).data, **kwargs)


# Below this many rows an exact count is cheap enough (registry.api.pagination).
ESTIMATE_FROM = 20_000


class EnterpriseListView(generics.ListAPIView):
    permission_classes = [RegistryOffice]
    serializer_class = s.EnterpriseListSerializer
    # ?paginate=cursor: a walk of the registry by id (the primary key's index).
    cursor_ordering = ("id",)
    # Page numbers by a deferred join: a page's ids, then its rows (registry.paging).
    page_rows = staticmethod(enterprise_list_rows)
    filters: EnterpriseFilters = EnterpriseFilters()

    def get_queryset(self):
        filters = s.EnterpriseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        self.filters = filters.filters()
        return enterprise_list(user=self.request.user, filters=self.filters)

    def count_estimate(self, queryset) -> int | None:
        """The whole registry, unfiltered, for someone who sees all of it: the planner's
        estimate instead of a COUNT(*) that reads every row (issue 22)."""
        unfiltered = self.filters == EnterpriseFilters(sort=self.filters.sort)
        if not unfiltered or user_role(self.request.user) not in SEE_EVERYTHING:
            return None
        estimate = row_estimate(Enterprise)
        return estimate if estimate is not None and estimate >= ESTIMATE_FROM else None

    @extend_schema(
        summary="List the enterprises you can see",
        description="By page number (the default; `count_is_estimate` says when the count of "
        "a large unfiltered list is the database's estimate), or with `paginate=cursor` by "
        "cursor: pages in the order of id, each as fast as the first, that neither repeat nor "
        "skip a row when others are added meanwhile. Follow `next` to the end.",
        parameters=[s.EnterpriseFilterSerializer],
        responses={200: s.EnterpriseListSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # A role that may not see full numbers found something by a whole number: logged.
        q = request.query_params.get("q", "")
        if response.status_code == 200 and (number := number_lookup(user=request.user, q=q)):
            results = response.data.get("results", [])
            found = list(Enterprise.objects.filter(uscc__in=[row["uscc"] for row in results]))
            services.sensitive_lookup_record(
                by=request.user,
                number=number,
                enterprises=found,
                channel=SensitiveView.Channel.SEARCH,
                ip_address=client_address(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        return response

    @extend_schema(
        summary="Register an enterprise (admins and staff)",
        description="Optionally with its first liaison and its emergency contact; all or nothing.",
        request=s.EnterpriseCreateSerializer,
        responses={201: s.EnterpriseDetailSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request):
        data = _validated(s.EnterpriseCreateSerializer, request)
        liaison = data.pop("liaison", None)
        contact = data.pop("emergency_contact", None)
        with transaction.atomic():
            enterprise = services.enterprise_create(by=request.user, **data)
            if liaison:
                with _nested("liaison"):
                    services.liaison_replace(enterprise=enterprise, by=request.user, **liaison)
            if contact:
                with _nested("emergency_contact"):
                    services.emergency_contact_set(
                        enterprise=enterprise, by=request.user, **contact
                    )
        return _detail_response(request, enterprise.uscc, status=status.HTTP_201_CREATED)


class EnterpriseDetailView(APIView):
    @extend_schema(
        summary="One enterprise, with its current liaison and emergency contact",
        parameters=[USCC],
        responses={200: s.EnterpriseDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, uscc):
        return _detail_response(request, uscc)

    @extend_schema(
        summary="Change an enterprise's fields",
        parameters=[USCC],
        request=s.EnterprisePatchSerializer,
        responses={200: s.EnterpriseDetailSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, uscc):
        enterprise = _detail(request, uscc)
        data = _validated(s.EnterprisePatchSerializer, request)
        version = data.pop("version")
        changes = _writable(request.user, "enterprise", enterprise, data)
        with _fresh("enterprise"):
            services.enterprise_update(
                enterprise=enterprise, by=request.user, expected_version=version, **changes
            )
        return _detail_response(request, enterprise.uscc)


class AnnualReportView(APIView):
    @extend_schema(
        summary="Record whether the enterprise filed its annual report for a year",
        parameters=[USCC],
        request=s.AnnualReportWriteSerializer,
        responses={200: s.AnnualReportSerializer, **_errors(400, 401, 403, 404)},
    )
    def put(self, request, uscc, year):
        enterprise = _detail(request, uscc)
        data = _validated(s.AnnualReportWriteSerializer, request)
        report = services.annual_report_set(
            enterprise=enterprise, year=year, filed=data["filed"], by=request.user
        )
        return Response(s.AnnualReportSerializer(report).data)


class EnterpriseHistoryView(generics.GenericAPIView):
    serializer_class = s.HistoryEntrySerializer

    @extend_schema(
        summary="Everything that happened to the enterprise, its liaisons and emergency "
        "contact, oldest first",
        parameters=[USCC],
        responses={200: s.HistoryEntrySerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, uscc):
        entries = enterprise_history(enterprise=_detail(request, uscc))
        page = self.paginate_queryset(entries)
        grid_codes = dict(
            GridArea.objects.filter(pk__in=s.grid_ids_in(page)).values_list("pk", "code")
        )
        serializer = self.get_serializer(page, many=True, context={"grid_codes": grid_codes})
        return self.get_paginated_response(serializer.data)


class CurrentLiaisonView(APIView):
    @extend_schema(
        summary="Correct the current liaison's details (the same person)",
        description="A new person is POST …/liaison/replace/.",
        parameters=[USCC],
        request=s.LiaisonPatchSerializer,
        responses={200: s.LiaisonSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, uscc):
        liaison = _current_liaison(_detail(request, uscc))
        data = _validated(s.LiaisonPatchSerializer, request)
        version = data.pop("version")
        changes = _writable(request.user, "liaison", liaison, data)
        with _fresh("liaison"):
            services.liaison_update(
                liaison=liaison, by=request.user, expected_version=version, **changes
            )
        return Response(s.LiaisonSerializer(liaison).data)


def _current_liaison(enterprise: Enterprise) -> Liaison:
    liaison = enterprise.current_liaison
    if liaison is None:
        raise NotFound
    return liaison


class LiaisonReplaceView(APIView):
    @extend_schema(
        summary="A new person takes over as liaison",
        description="The current liaison's period ends; past liaisons are kept as they were.",
        parameters=[USCC],
        request=s.LiaisonReplaceSerializer,
        responses={201: s.LiaisonSerializer, **_errors(400, 401, 403, 404)},
    )
    def post(self, request, uscc):
        enterprise = _detail(request, uscc)
        details = _writable(
            request.user, "liaison", None, _validated(s.LiaisonReplaceSerializer, request)
        )
        liaison = services.liaison_replace(enterprise=enterprise, by=request.user, **details)
        return Response(s.LiaisonSerializer(liaison).data, status=status.HTTP_201_CREATED)


class EmergencyContactView(APIView):
    def _set(self, request, uscc, *, partial: bool):
        enterprise = _detail(request, uscc)
        contact = EmergencyContact.objects.filter(enterprise=enterprise).first()
        serializer = (
            s.EmergencyContactPatchSerializer if partial else s.EmergencyContactWriteSerializer
        )
        data = _validated(serializer, request)
        version = data.pop("version", None)
        if contact is not None and version is None:
            raise ValidationError({"version": [Field.default_error_messages["required"]]})
        if not partial:
            data = {name: data.get(name) for name in services.EMERGENCY_CONTACT_FIELDS}
        changes = _writable(request.user, "emergencycontact", contact, data)
        with _fresh("emergencycontact"):
            saved = services.emergency_contact_set(
                enterprise=enterprise, by=request.user, expected_version=version, **changes
            )
        return Response(
            s.EmergencyContactSerializer(saved).data,
            status=status.HTTP_200_OK if contact else status.HTTP_201_CREATED,
        )

    _schema = {
        "parameters": [USCC],
        "responses": {
            200: s.EmergencyContactSerializer,
            201: s.EmergencyContactSerializer,
            **WRITE_ERRORS,
        },
    }

    @extend_schema(
        summary="Set the emergency contact (every field)",
        request=s.EmergencyContactWriteSerializer,
        **_schema,
    )
    def put(self, request, uscc):
        return self._set(request, uscc, partial=False)

    @extend_schema(
        summary="Change some of the emergency contact's fields",
        request=s.EmergencyContactPatchSerializer,
        **_schema,
    )
    def patch(self, request, uscc):
        return self._set(request, uscc, partial=True)


class RevealView(APIView):
    # A POST that changes nothing, but auditors may never unmask (they hold neither
    # permission): refused up front like their writes. The service checks the field.
    @extend_schema(
        summary="The full value of one protected field (logged)",
        description="Allowed to those whose role may see the field: full phone numbers for "
        "admins, staff and grid workers; ID numbers, beneficial owners and tax residency for "
        "admins and staff. Every call is written to the log of sensitive views.",
        parameters=[USCC],
        request=s.RevealSerializer,
        responses={200: s.RevealedValueSerializer, **_errors(400, 401, 403, 404)},
    )
    def post(self, request, uscc):
        enterprise = _detail(request, uscc)
        data = _validated(s.RevealSerializer, request)
        instance = _record(enterprise, data["record"], data.get("id"))
        value = services.sensitive_value_reveal(
            instance=instance,
            field=data["field"],
            by=request.user,
            channel=SensitiveView.Channel.API,
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        answer = {"record": data["record"], "field": data["field"], "id": instance.pk}
        response = Response(s.RevealedValueSerializer({**answer, "value": value}).data)
        response["Cache-Control"] = "no-store"
        return response


def _record(enterprise: Enterprise, record: str, pk: int | None):
    if record == "enterprise":
        return enterprise
    if record == "liaison":
        if pk is None:
            return _current_liaison(enterprise)
        # enterprise_detail prefetched every liaison of the enterprise.
        for liaison in enterprise.liaisons.all():
            if liaison.pk == pk:
                return liaison
        raise NotFound
    contact = EmergencyContact.objects.filter(enterprise=enterprise).first()
    if contact is None:
        raise NotFound
    return contact


class LiaisonListView(generics.ListAPIView):
    serializer_class = s.LiaisonListSerializer

    def get_queryset(self):
        filters = s.LiaisonFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        liaisons = visible_liaisons(self.request.user).select_related("enterprise")
        uscc = filters.validated_data.get("enterprise")
        if uscc:
            try:
                liaisons = liaisons.filter(enterprise__uscc=clean_text(uscc).upper())
            except DjangoValidationError as error:  # the code field normalises the value
                raise ValidationError({"enterprise": error.messages}) from error
        current = filters.validated_data.get("current")
        if current is not None:
            liaisons = liaisons.filter(ended_on__isnull=current)
        return liaisons.order_by("enterprise_id", "-started_on", "-id")

    @extend_schema(
        summary="The liaisons (current and past) of the enterprises you can see",
        parameters=[s.LiaisonFilterSerializer],
        responses={200: s.LiaisonListSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class GridAreaListView(generics.ListAPIView):
    serializer_class = s.GridAreaSerializer

    def get_queryset(self):
        return (
            visible_grid_areas(self.request.user)
            .annotate(enterprise_count=Count("enterprises", distinct=True))
            .order_by("code")
        )

    @extend_schema(
        summary="The grid areas you can see, with their enterprise counts",
        responses={200: s.GridAreaSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TokenView(ObtainAuthToken):
    """rest_framework.authtoken's token for username and password, behind the same lockout,
    second factor and forced password change as the login page (accounts.api)."""

    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="A token for username and password",
        description=(
            "Send it as `Authorization: Token <token>`. After repeated failures the account "
            "and the address are locked for a while (429, with Retry-After)."
        ),
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(s.ErrorSerializer, "Wrong or missing username or password."),
            403: OpenApiResponse(
                s.ErrorSerializer,
                "The password an admin set must be changed first, or an admin's second "
                "factor is missing.",
            ),
            429: OpenApiResponse(s.ErrorSerializer, "Locked after repeated failures."),
        },
    )
    def post(self, request, *args, **kwargs):
        user = token_user(self.get_serializer(data=request.data), request)
        token, _created = Token.objects.get_or_create(user=user)
        # Issuing a token is a login: the security log records it and last_login is stamped,
        # as for the login page. Not by Django's user_logged_in signal: its receivers are
        # for sessions (accounts.session would write into an anonymous one, so every token
        # request would create a session row and set a sessionid cookie).
        update_last_login(None, user)
        security_log.login_record(request=request, user=user)
        return Response({"token": token.key})
