"""Reports from outside in the retention run (registry.retention): the reporter's phone and
the photo are personal data, kept ``LIAISON_RETENTION_YEARS`` after the report like a past
liaison's; what was reported, when and by which organisation stays."""

from monitoring.signals.models import EnterpriseSignal
from registry import clock
from registry.retention import RetentionScope, StepResult


def erase_signal_sources(cursor, scope: RetentionScope) -> StepResult:
    old = EnterpriseSignal.objects.filter(
        observed_at__lt=clock.start_of_day(scope.liaison_cutoff)
    ).exclude(source_phone="", photo="")
    files = [name for name in old.exclude(photo="").values_list("photo", flat=True)]
    erased = old.update(source_phone="", photo="", photo_name="")
    return StepResult(counts={"signal_sources": erased}, files=files)
