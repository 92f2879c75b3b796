"""A material's public link and how its links read in a message: one home for both, used by
the event's SMS, campaigns (``{{ materials }}``) and WeCom posts."""

import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from outreach.materials.models import Material

# 24 random bytes: 32 base64url characters, not guessable, short enough for an SMS.
TOKEN_BYTES = 24
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_well_formed(token: str) -> bool:
    """Whether ``token`` could be a material's token (anything else is not looked up)."""
    return bool(_TOKEN.match(token or ""))


def material_url(material: Material) -> str:
    """The absolute address liaisons open (the portal's public address, as for their
    personal links)."""
    base = settings.SELF_SERVICE_BASE_URL.rstrip("/")
    return base + reverse("material:page", args=[material.token])


def link_line(material: Material) -> str:
    """One material as a message lists it: 《title》address."""
    return f"《{material.title}》{material_url(material)}"


def materials_text(materials: Iterable[Material]) -> str:
    """The ``{{ materials }}`` of a message: each material's line, in the order given."""
    return " ".join(link_line(material) for material in materials)
