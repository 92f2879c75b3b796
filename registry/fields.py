"""Model fields that normalise on the way in, so forms, the admin, the API and the import all
store the same canonical value (``１３８ 1234-5678`` becomes ``13812345678``)."""

from django import forms
from django.db import models

from registry import normalize

# Where a phone number is typed: the phone's number pad (inputmode), and a browser that knows
# it is a phone number (type). Every form field of the two phone fields below gets it; forms
# of plain fields use ``tel_input()``.
TEL_ATTRS = {"type": "tel", "inputmode": "tel"}


def tel_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={**TEL_ATTRS, **attrs})


class _NormalisedCharField(models.CharField):
    normaliser = staticmethod(normalize.clean_text)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return "" if not self.null else value
        return self.normaliser(value)


class USCCField(_NormalisedCharField):
    """统一社会信用代码 (GB 32100-2015), 18 characters with a check character."""

    normaliser = staticmethod(normalize.normalize_uscc)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)


class MobileField(_NormalisedCharField):
    """A mainland mobile number, stored as its 11 digits."""

    normaliser = staticmethod(normalize.normalize_mobile)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        kwargs.setdefault("widget", tel_input())
        return super().formfield(**kwargs)


class PhoneField(_NormalisedCharField):
    """A landline or mobile number, stored normalised (``021-65551234``)."""

    normaliser = staticmethod(normalize.normalize_phone)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        kwargs.setdefault("widget", tel_input())
        return super().formfield(**kwargs)


class IDNumberField(_NormalisedCharField):
    """A resident ID number (GB 11643), 18 characters. Sensitive: shown masked."""

    normaliser = staticmethod(normalize.normalize_id_number)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)


class NormalisedEmailField(models.EmailField):
    def to_python(self, value):
        value = super().to_python(value)
        return normalize.normalize_email(value) if value else ""


class CleanCharField(_NormalisedCharField):
    """Names and addresses: full-width characters and stray spaces cleaned."""

    normaliser = staticmethod(normalize.clean_name)


class ExecutivesField(_NormalisedCharField):
    """The executives (董事 / 监事 / 高管) as one canonical line, "董事：张三；监事：李四"
    (registry.normalize.normalize_executives): one column the history, the import and the
    major-change rule compare as they do an address."""

    normaliser = staticmethod(normalize.normalize_executives)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", normalize.EXECUTIVES_MAX_LENGTH)
        super().__init__(*args, **kwargs)
