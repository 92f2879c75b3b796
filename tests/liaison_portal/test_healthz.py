import pytest
from django.test import override_settings
from django.utils import timezone

from liaison_portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_it_reports_database_and_broker_reachable(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")


def test_it_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_it_answers_503_when_the_broker_is_down(client):
    # Nothing listens on port 1 of loopback.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


def test_it_reports_when_a_worker_was_last_seen(client):
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=timezone.now())
    assert client.get("/healthz").json()["worker"]["status"] == "ok"


def test_a_worker_silent_for_minutes_is_stale(client):
    WorkerHeartbeat.objects.create(
        hostname="worker@a", seen_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    assert client.get("/healthz").json()["worker"]["status"] == "stale"
