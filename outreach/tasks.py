"""Celery tasks of outreach: thin wrappers over outreach.services, idempotent."""

from celery import shared_task

from outreach import services
from registry import clock


@shared_task(name="outreach.tasks.plan_due_contacts")
def plan_due_contacts() -> dict:
    """Turn due contacts into routine tasks (CELERY_BEAT_SCHEDULE: every night). Safe to
    run twice at once or to repeat: see outreach.services.plan."""
    result = services.plan_run(now=clock.now())
    return {
        "replanned": result.replanned,
        "due": result.due,
        "tasks_created": result.tasks_created,
        "links_sent": result.links_sent,
    }
