"""Placeholders in message templates: ``{{ enterprise }}`` and friends.

Admins write the templates, so their text is never run as a Django template (no tags, no
attribute access): each placeholder is a plain substitution from a fixed list. Campaigns
substitute in SQL (``sql_render``) so 100,000 messages are written by one INSERT … SELECT;
single messages substitute in Python (``render``). Both produce the same text.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# name -> what it stands for (shown to admins beside the template editor).
PLACEHOLDERS = {
    "enterprise": _("the enterprise's name"),
    "liaison": _("the liaison's name"),
    "link": _(
        "the liaison's personal link (in the text only; a campaign with it is a details check "
        "and sends each liaison a new link)"
    ),
    # Material from the library (outreach/materials), attached to the campaign.
    "materials": _("the links of the materials attached to the campaign"),
}
# Placeholders of the portal's own messages, each allowed only in its own templates
# (outreach.messaging.defaults.OWN_PLACEHOLDERS), never in a campaign.
OWN_PLACEHOLDERS = {
    "code": _("the one-time code (self-service code messages only)"),
    "minutes": _("how many minutes the code is valid (self-service code messages only)"),
    "fields": _("the names of the corrected fields (staff correction notice only)"),
    # The first-contact desk's answer (outreach/matters); single messages only.
    "matter_number": _("the matter's number (answers to matters only)"),
    "matter_outcome": _("whether the matter is resolved (answers to matters only)"),
    "matter_link": _("the link to the answer and its rating (answers to matters only)"),
    "matter_answer": _("the answer's text and any next step (answers by e-mail only)"),
    # The desk's reminders to its staff.
    "matter_category": _("the matter's category (reminders to staff only)"),
    "matter_reminder": _(
        "which time limit is near or past, e.g. 办结时限将至 (reminders to staff only)"
    ),
    "matter_deadline": _("the time limit, e.g. 2026-12-08 00:00 (reminders to staff only)"),
    # An event's invitation and reminder (outreach/events).
    "event_topic": _("the event's topic (event messages only)"),
    "event_time": _("when the event starts, e.g. 2026-12-08 14:00 (event messages only)"),
    "event_place": _("the event's place or online link (event messages only)"),
}
# The event's own values in its invitation campaign: filled in once, when the campaign is
# created (the same for every recipient), before the per-recipient ones in SQL.
EVENT_PLACEHOLDERS = ("event_topic", "event_time", "event_place")
# Filled per recipient by a campaign's INSERT … SELECT; {{ link }} creates the recipient's
# link in the same statement (outreach.sql.selfservice).
CAMPAIGN_PLACEHOLDERS = ("enterprise", "liaison", "link", "materials")
# A link in an e-mail's subject would show the token in every mail client's list.
CAMPAIGN_SUBJECT_PLACEHOLDERS = ("enterprise", "liaison")

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# The line every contact ends with (domain.md: "if you leave, tell us").
LEAVING_LINE = "如您离职或岗位变动，请及时告知我们，以便与继任者对接。"


def _tag(name: str) -> str:
    return "{{ " + name + " }}"


def placeholders_in(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text or ""))


def canonical(text: str) -> str:
    """``{{enterprise}}`` and ``{{  enterprise }}`` both become ``{{ enterprise }}``."""
    return _PLACEHOLDER.sub(lambda m: _tag(m.group(1)), text or "")


_BRACES = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def validate(text: str, *, allowed=PLACEHOLDERS) -> None:
    """Refuse anything in braces that is not one of the ``allowed`` placeholders (template
    tags, attribute access, filters): admins should see at once it will not work."""
    unknown = set()
    for match in _BRACES.finditer(text or ""):
        placeholder = _PLACEHOLDER.fullmatch(match.group(0))
        if placeholder is None or placeholder.group(1) not in allowed:
            unknown.add(match.group(0))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(names)s. Available: %(available)s."),
            code="unknown_placeholder",
            params={
                "names": ", ".join(canonical(n) for n in sorted(unknown)),
                "available": ", ".join(_tag(n) for n in allowed),
            },
        )


def render(text: str, values: Mapping[str, str]) -> str:
    """Substitute the placeholders; one with no value becomes empty text."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "") or ""), text or "")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Substitute only the placeholders ``values`` names; the others stay as they are."""
    return _PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)] or "") if m.group(1) in values else m.group(0),
        text or "",
    )


def sql_render(
    text: str, columns: Mapping[str, str], constants: Mapping[str, str] | None = None
) -> tuple[str, list[str]]:
    """An SQL expression that renders ``text`` per row: nested replace() calls over the
    canonical placeholders, with ``columns`` naming the SQL expression for each one and
    ``constants`` the value of those that are the same on every row (a parameter)."""
    constants = constants or {}
    sql, params = "%s", [canonical(text)]
    for name in sorted(placeholders_in(text)):
        if name in constants:
            sql = f"replace({sql}, %s, %s)"
            params += [_tag(name), str(constants[name] or "")]
        else:
            sql = f"replace({sql}, %s, coalesce({columns[name]}, ''))"
            params.append(_tag(name))
    return sql, params


def sql_values(
    text: str, columns: Mapping[str, str], constants: Mapping[str, str] | None = None
) -> tuple[str, list[str]]:
    """An SQL expression of ``text``'s placeholder values per row as a JSON object, for a
    provider that is sent a template code and its values: ``columns`` and ``constants`` as
    for ``sql_render``. Constants the text does not use (an event's, already written into an
    invitation's text) still go with the values."""
    constants = constants or {}
    used = sorted(placeholders_in(text))
    pairs, params = [], []
    for name in used:
        if name in constants:
            pairs.append("%s::text, %s::text")
            params += [name, str(constants[name] or "")]
        else:
            pairs.append(f"%s::text, coalesce({columns[name]}, '')")
            params.append(name)
    for name in sorted(set(constants) - set(used)):
        pairs.append("%s::text, %s::text")
        params += [name, str(constants[name] or "")]
    return f"jsonb_build_object({', '.join(pairs)})", params
