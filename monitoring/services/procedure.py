"""The emergency procedure (应急预案 三步走) of a red enterprise: each step a task with its
evidence; reaching the liaison at any step ends it."""

from django.utils import timezone

from monitoring.models import EmergencyProcedure
from outreach.models import ContactAttempt
from registry.models import Enterprise


def procedures_end_reached(*, enterprise: Enterprise, attempt: ContactAttempt | None) -> int:
    """The liaison was reached: the open procedure ends, whatever step it was at."""
    return EmergencyProcedure.objects.filter(
        enterprise=enterprise, status=EmergencyProcedure.Status.OPEN
    ).update(
        status=EmergencyProcedure.Status.REACHED,
        ended_at=timezone.now(),
        ended_by_attempt=attempt,
    )
