"""Celery tasks of monitoring: thin wrappers over monitoring.services, idempotent."""

from celery import shared_task

from monitoring import services
from registry import clock


@shared_task(name="monitoring.tasks.run_rules")
def run_rules() -> dict:
    """The rules that create work, and the end of expired pauses (CELERY_BEAT_SCHEDULE:
    every day). Safe to run twice at once or to repeat: see monitoring.services.rules."""
    now = clock.now()  # one reading of the clock for the whole run
    expired = services.pauses_expire(today=clock.today(now))
    results = services.rules_sweep(now=now)
    return {
        "pauses_ended": expired,
        "rules": {r.kind: {"opened": r.opened, "closed": r.closed} for r in results},
    }
