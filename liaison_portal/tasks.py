import socket

from celery import shared_task
from django.utils import timezone

from liaison_portal.models import WorkerHeartbeat


@shared_task(name="liaison_portal.tasks.worker_heartbeat")
def worker_heartbeat(hostname: str | None = None) -> str:
    name = hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=name, defaults={"seen_at": timezone.now()})
    return name
