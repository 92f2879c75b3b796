"""Monitoring's API: the changes of light, newest first, of the enterprises the user may see."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from core.replica import reads_from_replica
from monitoring.api import serializers as s
from monitoring.selectors import visible_light_changes
from registry.api.serializers import ErrorSerializer
from registry.normalize import clean_text


class LightChangeListView(generics.ListAPIView):
    serializer_class = s.LightChangeSerializer

    def get_queryset(self):
        query = s.LightChangeFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        changes = visible_light_changes(self.request.user).select_related("enterprise")
        if filters.get("enterprise"):
            changes = changes.filter(enterprise__uscc=clean_text(filters["enterprise"]).upper())
        if filters.get("to_light"):
            changes = changes.filter(to_light=filters["to_light"])
        if filters.get("since"):
            changes = changes.filter(at__gte=filters["since"])
        if filters.get("until"):
            changes = changes.filter(at__lt=filters["until"])
        return changes.order_by("-at", "-id")

    @extend_schema(
        summary="Changes of light (red / yellow / green), newest first",
        parameters=[s.LightChangeFilterSerializer],
        responses={
            200: s.LightChangeSerializer(many=True),
            **{
                code: OpenApiResponse(ErrorSerializer, text)
                for code, text in {
                    400: "Invalid filter; the fields are named.",
                    401: "Not authenticated.",
                    403: "Your role may not do this.",
                    404: "No such page.",
                }.items()
            },
        },
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
