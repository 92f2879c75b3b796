"""What monitoring's API reads: parse and present only."""

from rest_framework import serializers

from monitoring.light import Light
from monitoring.models import LightChange
from registry.api.fields import QuerySerializer
from registry.api.serializers import EnterpriseRefSerializer


class LightChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    enterprise = EnterpriseRefSerializer(read_only=True)
    from_light = serializers.ChoiceField(Light.choices, read_only=True)
    to_light = serializers.ChoiceField(Light.choices, read_only=True)
    at = serializers.DateTimeField(read_only=True)
    reason = serializers.ChoiceField(LightChange.Reason.choices, read_only=True)
    consecutive_failures = serializers.IntegerField(read_only=True)
    attempt = serializers.IntegerField(
        source="attempt_id",
        read_only=True,
        allow_null=True,
        help_text="The contact attempt that changed the light (see /api/contact-attempts/).",
    )


class LightChangeFilterSerializer(QuerySerializer):
    enterprise = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="The enterprise's USCC."
    )
    to_light = serializers.ChoiceField(Light.choices, required=False, allow_blank=True)
    since = serializers.DateTimeField(required=False, help_text="From (included).")
    until = serializers.DateTimeField(required=False, help_text="Until (excluded).")
