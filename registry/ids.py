"""Record ids in paths, query strings and forms: ASCII digits only.

Python's int() and ``\\d``, and so Django's and DRF's integer parsing, also take other
scripts' digits ("٣" is 3) and stumble on others ("¹" passes str.isdigit() but not int()):
``/api/tasks/٣/`` returned task 3 and ``/api/tasks/¹/`` was a server error. An id is one
spelling of one number; everything else is "no such record".
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter

ID_REGEX = "[0-9]+"
_ID = re.compile(r"[0-9]{1,18}")  # up to a bigint's 9.2e18, without overflow


def parse_id(value: object) -> int | None:
    """The id ``value`` spells in ASCII digits, else None (an int is taken as it is)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def is_ascii_integer(value: object) -> bool:
    """An optionally signed whole number in ASCII digits (what DRF's IntegerField may then
    read); ints pass."""
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*[-+]?[0-9]+(\.0*)?\s*", value) is not None


class IdConverter:
    """``<id:pk>`` in every urls.py, instead of ``<int:pk>``: the same digits, said once."""

    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")


class IdChoiceField(forms.ModelChoiceField):
    """A record chosen in a form by its id: ASCII digits only ("٣" is no choice, not 3)."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Records chosen in a form by their ids: ASCII digits only."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
