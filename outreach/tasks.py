"""Celery tasks of outreach: thin wrappers over outreach.services, idempotent."""

from celery import shared_task

from outreach import services
from outreach.selfservice import welcome
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


@shared_task(name="outreach.tasks.liaisons_welcome")
def liaisons_welcome_task(liaison_ids: list[int], door: str, by_id: int | None = None) -> int:
    """Welcome the liaisons an import started, after its commit (a second run welcomes
    nobody twice: outreach.selfservice.welcome)."""
    return welcome.liaisons_welcome(liaison_ids=liaison_ids, door=door, by_id=by_id)


@shared_task(name="outreach.tasks.liaison_welcomes_catch_up")
def liaison_welcomes_catch_up() -> int:
    """CELERY_BEAT_SCHEDULE, hourly: welcome new liaisons whose welcome task was lost."""
    return welcome.welcomes_catch_up(now=clock.now())
