"""The door's share of the retention run (registry.retention): what a walk-in typed about
themselves (name, mobile) is erased once they are an erased liaison, or once a walk-in never
matched to a liaison is past the period. The enterprise name they gave stays (not personal)."""

from django.db.models import Q
from django.db.models.expressions import RawSQL

from outreach.events.door_models import EventAttendance
from registry.retention import RetentionScope, StepResult


def erase_walk_ins(cursor, scope: RetentionScope) -> StepResult:
    # The run's temporary table of erased liaisons (a name of ours, no input).
    erased = RawSQL(f"SELECT id FROM {scope.liaisons}", [])
    count = (
        EventAttendance.objects.filter(how=EventAttendance.How.WALK_IN)
        .filter(
            Q(liaison_id__in=erased) | Q(liaison__isnull=True, checked_in_at__lt=scope.cutoff_at)
        )
        .exclude(walk_in_name="", walk_in_mobile="")
        .update(walk_in_name="", walk_in_mobile="")
    )
    return StepResult(counts={"event_walk_ins": count})
