"""The one password rule Django's validators lack: several kinds of character.

(django-password-validators requires each kind it is given; the policy here is "three of the
four", which it cannot express.)"""

import secrets
import string

from django.contrib.auth.password_validation import validate_password
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


# Letters and digits that cannot be mistaken for one another when read off a screen and
# typed (no 0/O, 1/l/I), and a few symbols every keyboard layout has.
_TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
_TEMPORARY_SYMBOLS = "-+#"


def temporary_password(user=None) -> str:
    """A one-time password an admin hands over (a new account, a reset): random (``secrets``),
    in four groups of four, and accepted by every validator of AUTH_PASSWORD_VALIDATORS, so
    the admin never meets a refusal. Its owner must replace it at the first login."""
    while True:
        groups = ["".join(secrets.choice(_TEMPORARY_ALPHABET) for _i in range(4)) for _g in "abcd"]
        candidate = secrets.choice(_TEMPORARY_SYMBOLS).join(groups)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue  # rare: one class missing by chance, or too close to the username
        return candidate
