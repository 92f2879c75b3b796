"""``POST /api/matters/``: other systems (a hotline, the 12345 platform's bridge) hand the desk a
matter. Thin: the serializer parses, matter_intake decides; a bad field is a 400 naming it
(registry.api.errors turns the services' ServiceError into one)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.matters.models import Matter, MatterCategory
from outreach.matters.services import matter_intake
from outreach.matters.services.common import TEXT_MAX
from registry.api.fields import AsciiIntegerField
from registry.api.serializers import EnterpriseRefSerializer, ErrorSerializer, WriteSerializer
from registry.masking import mask_free_text, masked
from registry.selectors import enterprise_detail

NO_SUCH_ENTERPRISE = _("No enterprise with this code that you can see.")
NO_SUCH_CATEGORY = _("No such category in use.")
NO_LIAISON = _("This enterprise has no current liaison.")


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
    category = AsciiIntegerField(min_value=1, max_value=2**31 - 1)
    urgency = serializers.ChoiceField(Matter.Urgency.choices, default=Matter.Urgency.NORMAL)
    description = TextField(max_length=TEXT_MAX)


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
    description = serializers.SerializerMethodField(help_text="Numbers in it masked.")
    received_at = serializers.DateTimeField(read_only=True)
    first_response_due = serializers.DateTimeField(read_only=True)
    resolution_due = serializers.DateTimeField(read_only=True)

    def get_requester_phone(self, matter) -> str:
        return masked("matter", "requester_phone", matter.requester_phone)

    def get_description(self, matter) -> str:
        return mask_free_text(matter.description)


class MatterListView(APIView):
    @extend_schema(
        summary="Take in a matter (first-contact desk)",
        description="The same rules as the desk's page: the enterprise (if named) must be one "
        "you can see; without one, a requester's name or phone. Time limits come from the "
        "category.",
        request=MatterCreateSerializer,
        responses={
            201: MatterSerializer,
            400: OpenApiResponse(ErrorSerializer, "Invalid input; the fields are named."),
            401: OpenApiResponse(ErrorSerializer, "Not authenticated."),
            403: OpenApiResponse(ErrorSerializer, "Your role may not do this."),
        },
    )
    def post(self, request):
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
            urgency=data["urgency"],
        )
        return Response(MatterSerializer(matter).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("matters/", login_not_required(MatterListView.as_view()), name="matters"),
]
