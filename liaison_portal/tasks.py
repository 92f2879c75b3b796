import socket

from celery import shared_task
from django.contrib.sessions.models import Session

from liaison_portal.models import WorkerHeartbeat
from registry import clock


@shared_task(name="liaison_portal.tasks.worker_heartbeat")
def worker_heartbeat(hostname: str | None = None) -> str:
    name = hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=name, defaults={"seen_at": clock.now()})
    return name


@shared_task(name="liaison_portal.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    """Delete expired sessions: every opened personal link (link scanners included) leaves
    one, and Django keeps them in the database until someone clears them."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=clock.now()).delete()
    return deleted
