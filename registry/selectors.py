"""Reads of the registry that are more than a one-line query."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pghistory.models import Events

from registry.models import Enterprise

# Bookkeeping columns that change with every save and say nothing to a reader.
_NOISE = {"version", "updated_at", "created_at", "id", "enterprise"}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    record: str  # "enterprise" | "liaison" | "emergencycontact"
    action: str  # "insert" | "update" | "delete"
    record_id: str
    door: str | None
    user_id: int | None
    username: str | None
    changes: dict[str, Any]  # field -> [old, new] for updates; field -> value for inserts
    context: dict[str, Any]


def enterprise_history(*, enterprise: Enterprise) -> list[HistoryEntry]:
    """Everything that happened to an enterprise and its liaisons and emergency contact,
    oldest first: one query over all the history tables."""
    events = (
        Events.objects.references(enterprise)
        .filter(
            pgh_model__in=[
                "registry.EnterpriseEvent",
                "registry.LiaisonEvent",
                "registry.EmergencyContactEvent",
            ]
        )
        .order_by("pgh_created_at", "pgh_id")
    )
    entries = []
    for event in events:
        context = event.pgh_context or {}
        action = event.pgh_label
        if action == "update":
            changes = {k: v for k, v in (event.pgh_diff or {}).items() if k not in _NOISE}
            if not changes:
                continue
        else:
            changes = {
                k: v
                for k, v in (event.pgh_data or {}).items()
                if k not in _NOISE and not k.endswith("_id") and v not in ("", None)
            }
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                record=event.pgh_obj_model.split(".")[-1].lower(),
                action=action,
                record_id=event.pgh_obj_id,
                door=context.get("door"),
                user_id=context.get("user"),
                username=context.get("username"),
                changes=changes,
                context=context,
            )
        )
    return entries
