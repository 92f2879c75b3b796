"""The one password rule Django's validators lack: several kinds of character.

(django-password-validators requires each kind it is given; the policy here is "three of the
four", which it cannot express.)"""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda c: c in string.punctuation or c.isspace() or not c.isalnum()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class CharacterClassValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "The password must mix at least %(n)d kind of character: upper-case "
                    "letters, lower-case letters, digits, symbols.",
                    "The password must mix at least %(n)d kinds of character: upper-case "
                    "letters, lower-case letters, digits, symbols.",
                    self.min_classes,
                )
                % {"n": self.min_classes},
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Mix at least %(n)d of: upper-case letters, lower-case letters, digits, symbols."
        ) % {"n": self.min_classes}
