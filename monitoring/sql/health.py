"""Queries of the stored contact health that other statements put inside their own: the
enterprises paused on a day (outreach's campaigns leave them out, through the seam
outreach.messaging.exclusions) and those of a light (the demo's escalation tasks)."""

from __future__ import annotations

import datetime

from monitoring.models import ContactHealth
from registry.sql import Table


def paused_enterprises(day: datetime.date) -> tuple[str, list]:
    """SQL selecting the enterprises whose contact is paused on ``day``, with its params.
    Reference: ``paused_reference``."""
    h = Table(ContactHealth)
    return f"SELECT {h.enterprise} FROM {h} WHERE {h.paused_until} >= %s", [day]


def paused_reference(day: datetime.date) -> set[int]:
    return set(
        ContactHealth.objects.filter(paused_until__gte=day).values_list("enterprise_id", flat=True)
    )


def of_light() -> str:
    """SQL selecting (column ``id``) the enterprises whose light is %(light)s."""
    h = Table(ContactHealth)
    return f"SELECT {h.enterprise} AS id FROM {h} WHERE {h.light} = %(light)s"
