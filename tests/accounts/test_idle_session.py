"""Idle sessions end after SESSION_IDLE_MINUTES (30); use keeps a session alive."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.registry.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_the_default_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_session_idle_for_longer_is_logged_out(client, staff_user):
    with time_machine.travel(START, tick=False) as clock:
        client.post("/accounts/login/", {"username": "sam_staff", "password": PASSWORD})
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))  # 58 minutes in, 29 idle
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=30, seconds=1))
        response = client.get("/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_forced_login_in_tests_follows_the_same_clock(client, staff_user):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff_user)
        clock.shift(datetime.timedelta(minutes=31))
        assert client.get("/").status_code == 302


def _session_writes(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code in (200, 503)
    return sum("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in queries)


def test_requests_within_a_minute_do_not_rewrite_the_session(client, staff_user):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff_user)
        assert _session_writes(client) == 0
        clock.shift(datetime.timedelta(seconds=30))
        assert _session_writes(client) == 0
        clock.shift(datetime.timedelta(seconds=31))
        assert _session_writes(client) == 1


def test_a_busy_session_ends_session_max_hours_after_its_login(client, staff_user, settings):
    assert settings.SESSION_MAX_HOURS == 12
    with time_machine.travel(START, tick=False) as clock:
        client.post("/accounts/login/", {"username": "sam_staff", "password": PASSWORD})
        # Used every 20 minutes: never idle, and still ended after twelve hours.
        for _step in range(35):
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=20))  # 12 hours after the login
        response = client.get("/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        # Logged out for good, not only for one request.
        assert client.get("/").status_code == 302
