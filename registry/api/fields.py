"""Serializer fields of the API's own."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registry.ids import is_ascii_integer


class AsciiIntegerField(serializers.IntegerField):
    """An integer written in ASCII digits (registry/ids.py): DRF's own reads "٣" as 3."""

    def to_internal_value(self, data):
        if not is_ascii_integer(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QuerySerializer(serializers.Serializer):
    """Query parameters: an empty one (``?until=``, ``?status=``) is refused unless the field
    takes blank text, as the schema says. DRF would drop it as if it were absent."""

    def to_internal_value(self, data):
        blank = {
            name: [field.error_messages.get("blank", _("This field may not be blank."))]
            for name, field in self.fields.items()
            if not field.read_only
            and data.get(name) == ""
            and not getattr(field, "allow_blank", False)
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)
