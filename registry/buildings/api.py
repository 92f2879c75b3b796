"""The buildings in the API, read only: GET /api/buildings/ (those you can see) and
GET /api/buildings/<id>/ (with its contacts, phones masked, and its enterprises you can
see). Scoped and masked as the pages are; a phone in full only through the page's logged
"show"."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.replica import reads_from_replica
from registry.api.serializers import MASKED_NOTE, GridAreaRefSerializer, MaskedSerializer
from registry.api.views import READ_ERRORS
from registry.buildings import selectors


class BuildingContactSerializer(MaskedSerializer):
    record_kind = "buildingcontact"
    id = serializers.IntegerField(read_only=True)
    role = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True, help_text=MASKED_NOTE)


class BuildingEnterpriseSerializer(serializers.Serializer):
    uscc = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class BuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    grid = GridAreaRefSerializer(read_only=True, allow_null=True)
    property_company = serializers.CharField(read_only=True)
    landlord = serializers.CharField(read_only=True)


class BuildingListSerializer(BuildingSerializer):
    enterprise_count = serializers.IntegerField(
        read_only=True, help_text="Enterprises linked to it that you can see."
    )


class BuildingDetailSerializer(BuildingSerializer):
    contacts = BuildingContactSerializer(many=True, read_only=True, source="contact_rows")
    enterprises = BuildingEnterpriseSerializer(many=True, read_only=True, source="enterprise_rows")


class BuildingListView(generics.ListAPIView):
    serializer_class = BuildingListSerializer

    def get_queryset(self):
        return selectors.building_list(user=self.request.user)

    @extend_schema(
        summary="The buildings you can see",
        responses={200: BuildingListSerializer(many=True), **READ_ERRORS},
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BuildingDetailView(APIView):
    @extend_schema(
        summary="A building, its contacts (phones masked) and its enterprises you can see",
        responses={200: BuildingDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        building = selectors.building_detail(user=request.user, pk=pk)
        building.contact_rows = selectors.building_contacts(building=building)
        building.enterprise_rows = selectors.building_enterprises(
            user=request.user, building=building
        )
        return Response(BuildingDetailSerializer(building).data)
