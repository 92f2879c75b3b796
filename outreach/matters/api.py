"""``POST /api/matters/``: other systems (a hotline, the 12345 platform's bridge) hand the desk a
matter, as JSON or, with its files, as multipart/form-data; ``POST /api/matters/<id>/
attachments/`` adds files later. Thin: the serializer parses, the services decide (each file's
type by its content and its size, outreach.matters.services.attachments); a bad field is a 400
naming it (registry.api.errors turns the services' ServiceError into one)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.matters.models import Matter, MatterCategory
from outreach.matters.selectors import can_work_matters, matter_detail
from outreach.matters.services import matter_attachments_add, matter_intake
from outreach.matters.services.common import TEXT_MAX
from outreach.matters.services.intake import INTAKE_KEY_MAX
from registry.api.fields import AsciiIntegerField
from registry.api.parsers import JSONParser
from registry.api.serializers import EnterpriseRefSerializer, ErrorSerializer, WriteSerializer
from registry.masking import mask_free_text, masked
from registry.selectors import enterprise_detail

NO_SUCH_ENTERPRISE = _("No enterprise with this code that you can see.")
NO_SUCH_CATEGORY = _("No such category in use.")
NO_LIAISON = _("This enterprise has no current liaison.")
KEY_TOO_LONG = _("At most 64 characters.")


class TextField(serializers.CharField):
    """A JSON string only: DRF's CharField would take 0 or true as the text "0" / "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MatterCreateSerializer(WriteSerializer):
    channel = serializers.ChoiceField(Matter.Channel.choices, default=Matter.Channel.API)
    enterprise = TextField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="统一社会信用代码; empty or absent for a requester not identified yet.",
    )
    from_liaison = serializers.BooleanField(
        default=False, help_text="The requester is the enterprise's current liaison."
    )
    requester_name = TextField(required=False, allow_blank=True, max_length=50)
    requester_phone = TextField(required=False, allow_blank=True, max_length=30)
    requester_email = TextField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="The answer and the 回访 link go to this address by e-mail instead of SMS.",
    )
    category = AsciiIntegerField(min_value=1, max_value=2**31 - 1)
    urgency = serializers.ChoiceField(Matter.Urgency.choices, default=Matter.Urgency.NORMAL)
    description = TextField(max_length=TEXT_MAX)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="multipart/form-data only: PDF, JPEG or PNG files (the field repeated).",
    )


class AttachmentsSerializer(WriteSerializer):
    attachments = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        help_text="PDF, JPEG or PNG files (multipart/form-data, the field repeated).",
    )


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True, help_text="As its content shows.")
    size = serializers.IntegerField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="__str__")


class MatterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, help_text="The number people quote.")
    state = serializers.ChoiceField(Matter.State.choices, read_only=True)
    channel = serializers.ChoiceField(Matter.Channel.choices, read_only=True)
    enterprise = EnterpriseRefSerializer(read_only=True, allow_null=True)
    category = CategoryRefSerializer(read_only=True)
    urgency = serializers.ChoiceField(Matter.Urgency.choices, read_only=True)
    requester_name = serializers.CharField(read_only=True)
    requester_phone = serializers.SerializerMethodField(help_text="Masked.")
    requester_email = serializers.SerializerMethodField(help_text="Masked.")
    description = serializers.SerializerMethodField(help_text="Numbers in it masked.")
    received_at = serializers.DateTimeField(read_only=True)
    first_response_due = serializers.DateTimeField(read_only=True)
    resolution_due = serializers.DateTimeField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True, source="attachments.all")

    def get_requester_phone(self, matter) -> str:
        return masked("matter", "requester_phone", matter.requester_phone)

    def get_requester_email(self, matter) -> str:
        return masked("matter", "requester_email", matter.requester_email)

    def get_description(self, matter) -> str:
        return mask_free_text(matter.description)


# JSON as every API; multipart/form-data for files (registry.api.parsers: JSON only elsewhere).
PARSERS = [JSONParser, MultiPartParser]


class MatterListView(APIView):
    parser_classes = PARSERS

    @extend_schema(
        summary="Take in a matter (first-contact desk)",
        description="The same rules as the desk's page: the enterprise (if named) must be one "
        "you can see; without one, a requester's name or phone. Time limits come from the "
        "category. Send an `Idempotency-Key` header (any text up to 64 characters, new for "
        "each matter) to retry safely: the same key again returns the matter it took in.",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="One per matter; a retry with it takes nothing in twice.",
            )
        ],
        request={
            "application/json": MatterCreateSerializer,
            "multipart/form-data": MatterCreateSerializer,
        },
        responses={
            201: MatterSerializer,
            400: OpenApiResponse(ErrorSerializer, "Invalid input; the fields are named."),
            401: OpenApiResponse(ErrorSerializer, "Not authenticated."),
            403: OpenApiResponse(ErrorSerializer, "Your role may not do this."),
        },
    )
    def post(self, request):
        intake_key = request.headers.get("Idempotency-Key", "").strip()
        if len(intake_key) > INTAKE_KEY_MAX:
            raise ValidationError({"Idempotency-Key": [KEY_TOO_LONG]})
        serializer = MatterCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enterprise = None
        if data.get("enterprise"):
            try:
                enterprise = enterprise_detail(user=request.user, uscc=data["enterprise"])
            except (Http404, DjangoValidationError) as error:
                raise ValidationError({"enterprise": [NO_SUCH_ENTERPRISE]}) from error
        category = MatterCategory.objects.filter(pk=data["category"], active=True).first()
        if category is None:
            raise ValidationError({"category": [NO_SUCH_CATEGORY]})
        liaison = None
        if data["from_liaison"]:
            liaison = enterprise.current_liaison if enterprise is not None else None
            if liaison is None:
                raise ValidationError({"from_liaison": [NO_LIAISON]})
        matter = matter_intake(
            channel=data["channel"],
            category=category,
            description=data["description"],
            by=request.user,
            enterprise=enterprise,
            liaison=liaison,
            requester_name="" if liaison else data.get("requester_name", ""),
            requester_phone="" if liaison else data.get("requester_phone", ""),
            requester_email=data.get("requester_email", ""),
            urgency=data["urgency"],
            attachments=data.get("attachments", []),
            intake_key=intake_key,
        )
        return Response(MatterSerializer(matter).data, status=status.HTTP_201_CREATED)


class MatterAttachmentsView(APIView):
    parser_classes = PARSERS

    @extend_schema(
        summary="Add files to a matter",
        description="PDF, JPEG or PNG, judged by their content, within the size and number "
        "limits; a refused file is a 400 naming attachments and then nothing is kept.",
        request={"multipart/form-data": AttachmentsSerializer},
        responses={
            201: AttachmentSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, "Invalid input; the fields are named."),
            401: OpenApiResponse(ErrorSerializer, "Not authenticated."),
            403: OpenApiResponse(ErrorSerializer, "Your role may not do this."),
            404: OpenApiResponse(ErrorSerializer, "No such matter that you can see."),
        },
    )
    def post(self, request, pk: int):
        if not can_work_matters(request.user):
            raise PermissionDenied
        matter = matter_detail(user=request.user, pk=pk)
        if matter is None:
            raise NotFound
        serializer = AttachmentsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = matter_attachments_add(
            matter=matter, files=serializer.validated_data["attachments"], by=request.user
        )
        return Response(AttachmentSerializer(added, many=True).data, status=201)


urlpatterns = [
    path("matters/", login_not_required(MatterListView.as_view()), name="matters"),
    path(
        "matters/<id:pk>/attachments/",
        login_not_required(MatterAttachmentsView.as_view()),
        name="matter_attachments",
    ),
]
