"""Celery tasks of events: thin, idempotent."""

from celery import shared_task

from outreach.events.services import event_reminders_queue
from registry import clock


@shared_task(name="outreach.events.remind")
def remind_invitees() -> dict:
    """The reminders the day before (CELERY_BEAT_SCHEDULE: twice a day). A second run, or
    two at once, reminds nobody twice (outreach.events.services.event_reminders_queue)."""
    result = event_reminders_queue(now=clock.now())
    return {"written": result.written, "queued": result.queued}
