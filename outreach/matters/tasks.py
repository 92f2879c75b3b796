"""Celery tasks of the first-contact desk: thin, idempotent."""

from celery import shared_task

from outreach.matters.services import matters_remind
from outreach.matters.services.metrics_summary import matter_metrics_rebuild
from registry import clock


@shared_task(name="outreach.matters.remind")
def remind_matters() -> dict:
    """Reminders at 80 % of a limit, overdue flags past it (CELERY_BEAT_SCHEDULE: every 10
    minutes). Two runs at once remind once (outreach.matters.services.reminders)."""
    result = matters_remind(now=clock.now())
    return {"reminded": result.reminded, "overdue": result.overdue}


@shared_task(name="outreach.matters.metrics_rebuild")
def rebuild_matter_metrics() -> dict:
    """The metrics summary recounted from the matters (CELERY_BEAT_SCHEDULE: nightly)."""
    return {"rows": matter_metrics_rebuild()}
