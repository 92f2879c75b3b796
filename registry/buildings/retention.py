"""The buildings' part of the retention run (registry.retention): the people the park no
longer asks — contacts removed, or replaced by someone else — are erased from the history
once the liaisons' retention period has passed since (the same period: they are kept for the
same purpose, reaching an enterprise)."""

from registry.retention import RetentionScope, StepResult
from registry.sql.buildings import contacts_history_erase


def building_contacts_retention(cursor, scope: RetentionScope) -> StepResult:
    erased = contacts_history_erase(cursor, cutoff_at=scope.cutoff_at, erased=scope.erased)
    return StepResult(counts={"building_contact_events": erased})
