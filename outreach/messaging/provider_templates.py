"""The provider's approved template behind a portal template: its code (阿里云 模板CODE,
腾讯云 模板ID) and its parameters in order, each filled by one of the text's placeholders.

In the template editor the parameters are one per line, ``name = placeholder``
(``code = code``; Tencent numbers its parameters, so ``1 = liaison``, ``2 = enterprise``).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from outreach.messaging import rendering

_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def params_parse(text: str) -> list[list[str]]:
    """The editor's lines as [[name, placeholder], …]; a line without "=" is refused."""
    params = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, placeholder = line.partition("=")
        if not sep:
            raise ValidationError(
                _("Line %(line)s: write each parameter as “name = placeholder”.") % {"line": number}
            )
        placeholder = placeholder.strip().removeprefix("{{").removesuffix("}}").strip()
        params.append([name.strip(), placeholder])
    return params


def params_format(params: list) -> str:
    return "\n".join(f"{name} = {placeholder}" for name, placeholder in params or [])


def params_validate(params: list, *, body: str) -> list[list[str]]:
    """Each parameter a valid, unique name, filled by a placeholder the text has."""
    in_text = rendering.placeholders_in(body)
    problems, seen, clean = [], set(), []
    for item in params:
        name, placeholder = (str(part).strip() for part in item)
        if not _NAME.match(name):
            problems.append(
                _("“%(name)s” is not a parameter name (letters, digits and _).") % {"name": name}
            )
        elif name in seen:
            problems.append(_("The parameter “%(name)s” is given twice.") % {"name": name})
        elif placeholder not in in_text:
            problems.append(
                _(
                    "The parameter “%(name)s” is filled by {{ %(placeholder)s }}, which the "
                    "text does not have."
                )
                % {"name": name, "placeholder": placeholder}
            )
        seen.add(name)
        clean.append([name, placeholder])
    if problems:
        raise ValidationError(problems)
    return clean
