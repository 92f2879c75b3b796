"""What the API reads and writes. They parse and present; the services validate and write.

Reads: protected fields leave masked for every role (``MaskedSerializer``); the full value
is only ever returned by the reveal endpoint, which logs it.

Writes: only the fields a use case may change, all optional, plain types. Field rules
(formats, lengths, required values) are the model's, checked by the services' full_clean,
so the API accepts exactly what the pages accept and answers with the same messages; a
serializer only refuses what cannot even be handed to a service (wrong JSON types, unknown
fields, megabyte strings).
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from registry import listing, masking
from registry.api.fields import AsciiIntegerField, QuerySerializer
from registry.models import Enterprise, GridArea
from registry.normalize import EXECUTIVE_ROLES
from registry.selectors import EnterpriseFilters, sort_keys

# Far above every column of the registry; refuses megabyte strings before normalisation.
TEXT_MAX = 1000
MAX_VERSION = 2**31 - 1
RECORDS = ("enterprise", "liaison", "emergencycontact")
# The same message as the services' check, so it reads the same in both languages.
UNKNOWN_FIELD = _("Unknown field(s): %(fields)s")
CANNOT_BE_SHOWN = _("This field cannot be shown.")
MASKED_NOTE = "Protected: always masked here; POST …/reveal/ returns the full value."


# --- Reads --------------------------------------------------------------------------------


class MaskedSerializer(serializers.Serializer):
    """Every protected field of ``record_kind`` is replaced by its masked form, whatever
    the fields were declared as: nothing reaches a client unmasked by accident."""

    record_kind = ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in data:
            if masking.is_protected(self.record_kind, name):
                data[name] = masking.masked(self.record_kind, name, getattr(instance, name))
        return data


def _masked(**kwargs) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=MASKED_NOTE, **kwargs)


class GridAreaRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class GridAreaSerializer(GridAreaRefSerializer):
    enterprise_count = serializers.IntegerField(
        read_only=True, help_text="Enterprises of this grid area that you can see."
    )


class LiaisonBriefSerializer(MaskedSerializer):
    record_kind = "liaison"
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    mobile = _masked()


class LiaisonSerializer(LiaisonBriefSerializer):
    position = serializers.CharField(read_only=True)
    landline = _masked()
    email = serializers.CharField(read_only=True)
    wechat = serializers.CharField(read_only=True)
    id_number = _masked()
    started_on = serializers.DateField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)
    last_verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    consent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)


class EnterpriseRefSerializer(serializers.Serializer):
    uscc = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class LiaisonListSerializer(LiaisonSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)


class EmergencyContactSerializer(MaskedSerializer):
    record_kind = "emergencycontact"
    name = serializers.CharField(read_only=True)
    relation = serializers.CharField(read_only=True)
    phone = _masked()
    version = serializers.IntegerField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class EnterpriseListSerializer(MaskedSerializer):
    """One row of the list: what the list page shows."""

    record_kind = "enterprise"
    uscc = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    grid = GridAreaRefSerializer(read_only=True, allow_null=True)
    industry = serializers.CharField(read_only=True)
    size = serializers.CharField(read_only=True, help_text="large, medium, small, micro or empty")
    status = serializers.ChoiceField(Enterprise.Status.choices, read_only=True)
    tier = serializers.ChoiceField(Enterprise.Tier.choices, read_only=True)
    key_taxpayer = serializers.BooleanField(read_only=True)
    pre_approval = serializers.BooleanField(read_only=True)
    marked_key = serializers.BooleanField(read_only=True)
    registered_phone = _masked()
    current_liaison = LiaisonBriefSerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_fields(self):
        # Fields of higher apps (registry.listing), e.g. monitoring's light.
        return {**super().get_fields(), **listing.api_fields()}


class ExecutiveSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        [(role, role) for role in EXECUTIVE_ROLES], help_text="董事, 监事 or 高管"
    )
    name = serializers.CharField(max_length=50)


class AnnualReportSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    filed = serializers.BooleanField(read_only=True)


class EnterpriseDetailSerializer(EnterpriseListSerializer):
    registered_address = serializers.CharField(read_only=True)
    operating_address = serializers.CharField(read_only=True)
    annual_report_phone = _masked()
    legal_representative = serializers.CharField(read_only=True)
    executives = serializers.SerializerMethodField()
    business_scope = serializers.CharField(read_only=True)
    annual_reports = serializers.SerializerMethodField(
        help_text="The years recorded, newest first: filed or not (企业信息公示暂行条例 art. 8)."
    )
    legal_representative_backup_phone = _masked()
    beneficial_owner = _masked()
    tax_residency = _masked()
    current_liaison = LiaisonSerializer(read_only=True, allow_null=True)
    emergency_contact = EmergencyContactSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(ExecutiveSerializer(many=True))
    def get_executives(self, enterprise) -> list[dict]:
        return [{"role": role, "name": name} for role, name in enterprise.executive_list]

    @extend_schema_field(AnnualReportSerializer(many=True))
    def get_annual_reports(self, enterprise) -> list[dict]:
        reports = enterprise.annual_reports.order_by("-year").values("year", "filed")
        return AnnualReportSerializer(reports, many=True).data


class HistoryEntrySerializer(serializers.Serializer):
    """One change from registry.selectors.enterprise_history, protected values masked."""

    at = serializers.DateTimeField(read_only=True)
    record = serializers.ChoiceField([(r, r) for r in RECORDS], read_only=True)
    action = serializers.ChoiceField([(a, a) for a in ("insert", "update", "delete")])
    record_id = serializers.CharField(read_only=True)
    door = serializers.CharField(read_only=True, allow_null=True)
    username = serializers.CharField(read_only=True, allow_null=True)
    changes = serializers.SerializerMethodField(
        help_text="field → [old, new] for an update, field → value otherwise; grid areas by "
        "code, protected values masked."
    )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, entry) -> dict[str, Any]:
        grid_codes = self.context.get("grid_codes", {})
        shown = {}
        for name, value in entry.changes.items():
            if name.startswith("pgh_"):
                continue
            if name in GRID_KEYS:
                name = "grid"  # the history stores the column, grid_id
            if entry.action == "update" and isinstance(value, list):
                shown[name] = [_history_value(entry.record, name, v, grid_codes) for v in value]
            else:
                shown[name] = _history_value(entry.record, name, value, grid_codes)
        return shown


def _history_value(kind: str, name: str, value, grid_codes: dict[int, str]):
    if name == "grid" and value is not None:
        return grid_codes.get(value, value)
    if masking.is_protected(kind, name):
        return masking.masked(kind, name, None if value is None else str(value))
    return value


GRID_KEYS = ("grid", "grid_id")


def grid_ids_in(entries) -> set[int]:
    """The grid areas an enterprise's history mentions, to show them by code."""
    ids: set[int] = set()
    for entry in entries:
        for key in GRID_KEYS:
            value = entry.changes.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool):
                    ids.add(item)
    return ids


def shown_values(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A record's values as a client may see them: protected ones masked, related rows by
    their natural key. For the 409 answer to a stale edit."""
    shown = {}
    for name, value in values.items():
        if isinstance(value, GridArea):
            value = value.code
        elif isinstance(value, models.Model):
            value = str(value.pk)
        elif isinstance(value, datetime.date | datetime.datetime):
            value = value.isoformat()
        if masking.is_protected(kind, name):
            value = masking.masked(kind, name, None if value is None else str(value))
        shown[name] = value
    return shown


class RevealedValueSerializer(serializers.Serializer):
    record = serializers.ChoiceField([(r, r) for r in RECORDS], read_only=True)
    field = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True, help_text="The record's id.")
    value = serializers.CharField(read_only=True, help_text="The full value (this view is logged).")


class ErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text='Messages by field, e.g. {"mobile": ["…"]}; "non_field_errors" for the '
        'request as a whole, "detail" for authentication, permission and not-found answers; '
        "nested objects nest their fields.",
    )


class ConflictSerializer(ErrorSerializer):
    current = serializers.DictField(
        child=serializers.JSONField(),
        help_text="The record's present values of the fields you sent (protected ones masked).",
    )
    version = serializers.IntegerField(help_text="The record's version now.")


# --- Query parameters -----------------------------------------------------------------------


class EnterpriseFilterSerializer(QuerySerializer):
    """The list page's filters (registry.selectors.EnterpriseFilters)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Part of a name, credit code, registered phone, or the current liaison's "
        "name or mobile.",
    )
    grid = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="Grid area code."
    )
    tier = serializers.ChoiceField(Enterprise.Tier.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(Enterprise.Status.choices, required=False, allow_blank=True)
    size = serializers.ChoiceField(Enterprise.Size.choices, required=False, allow_blank=True)
    industry = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sort = serializers.ChoiceField([], required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        # Sorts and filters of higher apps (registry.listing), known once apps are ready.
        fields["sort"] = serializers.ChoiceField(
            [(key, key) for key in sort_keys()], required=False, allow_blank=True
        )
        for extension in listing.list_extensions():
            fields[extension.name] = serializers.ChoiceField(
                list(extension.choices), required=False, allow_blank=True
            )
        return fields

    def filters(self) -> EnterpriseFilters:
        values = {name: value for name, value in self.validated_data.items() if value}
        extra = {
            ext.name: values.pop(ext.name)
            for ext in listing.list_extensions()
            if ext.name in values
        }
        return EnterpriseFilters(**values, extra=extra)


class LiaisonFilterSerializer(QuerySerializer):
    enterprise = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="The enterprise's USCC."
    )
    current = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="true: only current liaisons; false: only past ones.",
    )


# --- Writes ---------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"role": {"type": "string"}, "name": {"type": "string"}},
                    "required": ["role", "name"],
                },
            },
        ]
    }
)
class ExecutivesInputField(serializers.Field):
    """The executives as the API takes them: a list of {role, name} or the text the pages
    take; the model's field normalises either (registry.normalize.normalize_executives)."""

    default_error_messages = {
        "invalid": "Give a list of objects with a role and a name, or one text.",
    }

    def to_internal_value(self, data):
        if data is None or isinstance(data, str):
            return data or ""
        if not isinstance(data, list):
            self.fail("invalid")
        entries = ExecutiveSerializer(data=data, many=True)
        entries.is_valid(raise_exception=True)
        return "；".join(f"{item['role']}：{item['name']}" for item in entries.validated_data)

    def to_representation(self, value):
        return value


def _text(**kwargs) -> serializers.CharField:
    kwargs.setdefault("max_length", TEXT_MAX)
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, **kwargs)


def _needed(*, required: bool, **kwargs) -> serializers.CharField:
    """A text the record cannot be without: never blank or null, so the schema says so
    (minLength 1) and a body the schema allows is not refused for it."""
    kwargs.setdefault("max_length", TEXT_MAX)
    return serializers.CharField(required=required, allow_blank=False, allow_null=False, **kwargs)


class WriteSerializer(serializers.Serializer):
    """Refuses fields it does not know (a typo must not be silently dropped)."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors: dict[str, Any] = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail
            errors = dict(detail) if isinstance(detail, Mapping) else {_non_field(): detail}
        for name in unknown:
            errors[name] = [UNKNOWN_FIELD % {"fields": name}]
        if errors:
            raise serializers.ValidationError(errors)
        return value


def _non_field() -> str:
    return api_settings.NON_FIELD_ERRORS_KEY


def _version(**kwargs) -> serializers.IntegerField:
    kwargs.setdefault(
        "help_text",
        "The record's version as you read it: a save over a newer one is refused with 409.",
    )
    return AsciiIntegerField(min_value=1, max_value=MAX_VERSION, **kwargs)


class EnterpriseFieldsSerializer(WriteSerializer):
    name = _text()
    registered_address = _text()
    operating_address = _text()
    grid = serializers.SlugRelatedField(
        slug_field="code",
        queryset=GridArea.objects.all(),
        required=False,
        allow_null=True,
        help_text="Grid area code (admins and staff only).",
    )
    industry = _text()
    size = serializers.ChoiceField(Enterprise.Size.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(Enterprise.Status.choices, required=False)
    key_taxpayer = serializers.BooleanField(required=False)
    pre_approval = serializers.BooleanField(required=False)
    marked_key = serializers.BooleanField(required=False, help_text="Admins and staff only.")
    registered_phone = _text()
    annual_report_phone = _text()
    legal_representative = _text()
    legal_representative_backup_phone = _text()
    beneficial_owner = _text(help_text="Needs the permission to see sensitive values.")
    tax_residency = _text(help_text="Needs the permission to see sensitive values.")
    executives = ExecutivesInputField(
        required=False,
        allow_null=True,
        help_text="A list of {role, name} (role: 董事, 监事 or 高管), or one text such as "
        '"董事：张三、李四；监事：王五；高管：赵六". Replaces the whole list.',
    )
    business_scope = _text(max_length=2000, help_text="经营范围, as registered.")


class AnnualReportWriteSerializer(WriteSerializer):
    filed = serializers.BooleanField(help_text="Whether the report of that year was filed.")


class LiaisonFieldsSerializer(WriteSerializer):
    name = _needed(required=False)
    position = _text()
    mobile = _needed(required=False)
    landline = _text()
    email = _text()
    wechat = _text()
    id_number = _text(help_text="Needs the permission to see sensitive values.")


class LiaisonReplaceSerializer(LiaisonFieldsSerializer):
    name = _needed(required=True)
    mobile = _needed(required=True)
    started_on = serializers.DateField(
        required=False, allow_null=True, help_text="Takes over on (default: today)."
    )


class EmergencyContactFieldsSerializer(WriteSerializer):
    name = _needed(required=True)
    relation = _text()
    phone = _needed(required=True)


class EnterpriseCreateSerializer(EnterpriseFieldsSerializer):
    uscc = _text(help_text="统一社会信用代码, 18 characters.")
    liaison = LiaisonReplaceSerializer(required=False, allow_null=True)
    emergency_contact = EmergencyContactFieldsSerializer(required=False, allow_null=True)


class EnterprisePatchSerializer(EnterpriseFieldsSerializer):
    version = _version()


class LiaisonPatchSerializer(LiaisonFieldsSerializer):
    version = _version()


class EmergencyContactWriteSerializer(EmergencyContactFieldsSerializer):
    """PUT: every field (name and phone needed)."""

    version = _version(
        required=False,
        help_text="Required when the enterprise already has an emergency contact.",
    )


class EmergencyContactPatchSerializer(EmergencyContactWriteSerializer):
    """PATCH: only the fields sent change (but none becomes blank)."""

    name = _needed(required=False)
    phone = _needed(required=False)


class RevealSerializer(WriteSerializer):
    record = serializers.ChoiceField([(r, r) for r in RECORDS])
    field = serializers.CharField(max_length=50, help_text="A protected field of the record.")
    id = AsciiIntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="For record=liaison: which liaison (default: the current one).",
    )

    def validate(self, attrs):
        if not masking.is_protected(attrs["record"], attrs["field"]):
            raise serializers.ValidationError({"field": [CANNOT_BE_SHOWN]})
        return attrs
