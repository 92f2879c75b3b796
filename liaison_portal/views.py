import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from core.replica import reads_from_replica
from liaison_portal.models import WorkerHeartbeat
from monitoring.dashboard import dashboard_html
from registry import clock
from registry.roles import ROLE_ABILITIES, user_role

logger = logging.getLogger(__name__)

# A worker that has not beaten for this long is reported stale (the beat runs every minute).
HEARTBEAT_STALE_AFTER_SECONDS = 180


@require_GET
def home(request):
    role = user_role(request.user)
    # The first thing staff, grid workers and auditors see: the monitor's dashboard, whose
    # figures tolerate a few seconds of lag (from the replica when there is one).
    with reads_from_replica():
        dashboard = dashboard_html(request) if role else ""
    return render(
        request,
        "home.html",
        {
            "role": role,
            "abilities": ROLE_ABILITIES.get(role, []) if role else [],
            "dashboard": dashboard,
        },
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure means "not reachable"; the log says why
        logger.exception("health check: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            connect_timeout=2,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health check: broker unreachable")
        return False


def _worker_state(database_ok: bool) -> dict:
    if not database_ok:
        return {"status": "unknown"}
    last = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if last is None:
        return {"status": "never_seen"}
    age = (clock.now() - last.seen_at).total_seconds()
    status = "ok" if age <= HEARTBEAT_STALE_AFTER_SECONDS else "stale"
    return {"status": status, "last_seen": last.seen_at.isoformat()}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Database and broker reachability for load balancers and container health checks.

    503 when either is down. The worker's heartbeat is reported but does not fail the check:
    the web tier stays useful (pages, outbox rows) while workers restart.
    """
    database_ok = _database_ok()
    broker_ok = _broker_ok()
    body = {
        "status": "ok" if database_ok and broker_ok else "unavailable",
        "database": "ok" if database_ok else "unreachable",
        "broker": "ok" if broker_ok else "unreachable",
        "worker": _worker_state(database_ok),
    }
    return JsonResponse(body, status=200 if database_ok and broker_ok else 503)


def page_not_found(request, exception=None):
    """handler404: under /api/ the API's one error shape (a path that matches no route, e.g.
    an id that is not in ASCII digits); elsewhere the site's 404 page."""
    if request.path_info.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"errors": {"detail": [_("Not found.")]}}, status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception)
