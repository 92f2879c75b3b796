"""Celery tasks of the outbox: thin, idempotent (a task run twice claims nothing twice)."""

import logging

from celery import current_app, shared_task

from outreach.messaging import services
from outreach.messaging.wecom import services as wecom_services

logger = logging.getLogger(__name__)

# A drain stops after this long and, if messages remain, queues its own continuation: one
# task never holds a worker for minutes, and the minute sweep overlaps it harmlessly.
DRAIN_SECONDS = 50
# Group posts go at most 20 a minute per robot: a short turn after the outbox's is enough.
WECOM_DRAIN_SECONDS = 10


@shared_task(name="outreach.messaging.drain_outbox", bind=True)
def drain_outbox(self) -> int:
    handled = services.outbox_drain(max_seconds=DRAIN_SECONDS)
    # The WeCom group posts (outreach/messaging/wecom) ride on the same drain and sweep.
    handled += wecom_services.post_drain(max_seconds=WECOM_DRAIN_SECONDS)
    if handled and (services.outbox_has_due() or wecom_services.post_has_due()):
        # Continue on the queue this drain came from.
        kick_delivery(queue=(self.request.delivery_info or {}).get("routing_key"))
    return handled


def kick_delivery(queue: str | None = None) -> None:
    """Ask a worker to drain the outbox now. Best effort: with the broker down this logs and
    returns; the rows stay queued and the minute sweep (CELERY_BEAT_SCHEDULE) sends them."""
    try:
        # One quick try: a page must not hang on a broker that is down (the pooled
        # connection would keep retrying for seconds).
        with current_app.connection_for_write(connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            drain_outbox.apply_async(retry=False, queue=queue, connection=connection)
    except Exception:
        logger.warning("outbox: broker unreachable; the sweep will deliver", exc_info=True)
