"""``POST /api/signals/``: a property company's system reports what it saw. The same rules as
the page (``signal_record``); a bad field is a 400 naming it; an enterprise outside the
caller's grids is "no such enterprise"; the same report twice answers 200 with the first,
keeping what the second adds (a note, a photo). JSON, or multipart/form-data with a photo."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.signals.models import SignalKind
from monitoring.signals.services import TEXT_MAX, signal_record
from registry.api.parsers import JSONParser
from registry.api.serializers import EnterpriseRefSerializer, ErrorSerializer, WriteSerializer
from registry.masking import mask_free_text, masked
from registry.selectors import enterprise_detail

NO_SUCH_ENTERPRISE = _("No enterprise with this code that you can see.")
NO_SUCH_KIND = _("No such kind of report in use.")


class TextField(serializers.CharField):
    """A JSON string only: DRF's CharField would take 0 or true as the text "0" / "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SignalCreateSerializer(WriteSerializer):
    enterprise = TextField(max_length=32, help_text="统一社会信用代码.")
    kind = TextField(max_length=30, help_text="The kind's code, e.g. moved_out, mail_returned.")
    observed_at = serializers.DateTimeField(help_text="When it was seen (ISO 8601).")
    source_name = TextField(required=False, allow_blank=True, max_length=50)
    source_organisation = TextField(required=False, allow_blank=True, max_length=100)
    source_phone = TextField(required=False, allow_blank=True, max_length=30)
    note = TextField(required=False, allow_blank=True, max_length=TEXT_MAX)
    photo = serializers.FileField(
        required=False, help_text="JPEG or PNG, judged by content (multipart/form-data only)."
    )


class SignalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    enterprise = EnterpriseRefSerializer(read_only=True)
    kind = serializers.CharField(read_only=True, source="kind.code")
    kind_name = serializers.CharField(read_only=True, source="kind.name")
    observed_at = serializers.DateTimeField(read_only=True)
    source_name = serializers.CharField(read_only=True)
    source_organisation = serializers.CharField(read_only=True)
    source_phone = serializers.SerializerMethodField(help_text="Masked.")
    note = serializers.SerializerMethodField(help_text="Numbers in it masked.")
    has_photo = serializers.SerializerMethodField()
    counted_as_failed_contact = serializers.SerializerMethodField()
    verification_task = serializers.IntegerField(read_only=True, source="task_id", allow_null=True)

    def get_source_phone(self, signal) -> str:
        return masked("enterprisesignal", "source_phone", signal.source_phone)

    def get_note(self, signal) -> str:
        return mask_free_text(signal.note)

    def get_has_photo(self, signal) -> bool:
        return bool(signal.photo)

    def get_counted_as_failed_contact(self, signal) -> bool:
        return signal.attempt_id is not None


class SignalListView(APIView):
    # JSON as every API; multipart/form-data for the photo (registry.api.parsers: JSON only).
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        summary="Report what was seen at an enterprise (outside report)",
        description="The same rules as the page: the enterprise must be one you can see; the "
        "kind decides whether the report counts as a failed contact and opens an on-site "
        "verification. Posting the same report again (same enterprise, kind, time and "
        "source) answers 200 with the first and counts nothing more; a note or photo it "
        "adds is kept on the first.",
        request={
            "application/json": SignalCreateSerializer,
            "multipart/form-data": SignalCreateSerializer,
        },
        responses={
            201: SignalSerializer,
            200: OpenApiResponse(SignalSerializer, "Already recorded: the first report."),
            400: OpenApiResponse(ErrorSerializer, "Invalid input; the fields are named."),
            401: OpenApiResponse(ErrorSerializer, "Not authenticated."),
            403: OpenApiResponse(ErrorSerializer, "Your role may not do this."),
        },
    )
    def post(self, request):
        serializer = SignalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            enterprise = enterprise_detail(user=request.user, uscc=data.pop("enterprise"))
        except (Http404, DjangoValidationError) as error:
            raise ValidationError({"enterprise": [NO_SUCH_ENTERPRISE]}) from error
        kind = SignalKind.objects.filter(code=data.pop("kind"), active=True).first()
        if kind is None:
            raise ValidationError({"kind": [NO_SUCH_KIND]})
        recorded = signal_record(
            enterprise=enterprise, kind=kind, by=request.user, channel="api", **data
        )
        return Response(
            SignalSerializer(recorded.signal).data,
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )
