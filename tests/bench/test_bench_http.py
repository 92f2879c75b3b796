"""Issue 22, "speed at scale", over HTTP: the portal under gunicorn as production runs it (its
gunicorn.conf.py, 2 sync workers, the production settings) against the 100,000 enterprises
of tests/bench/conftest.py, loaded by `wrk` on the same machine. Each page's requests per
second are printed with their ratio to /healthz, measured in the same run, and the issue's
target for that ratio. Every response must be a 200."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from monitoring.sql.dashboard_summary import summary_rebuild
from registry import clock
from registry.models import GridArea
from registry.roles import Role, role_group
from tests.bench.test_bench_dashboard import LIGHTS_AND_TASKS
from tests.factories import UserFactory
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
WRK = shutil.which("wrk")
WRK_ARGS = os.environ.get("BENCH_WRK_ARGS", "-t2 -c8 -d5s --timeout 10s").split()
# The sessions are signed with the server's key: the bench makes them with the same one.
SECRET_KEY = "bench-" + "s" * 44 + "-not-a-real-secret-key"
# docker-compose's `web` (its address and worker count are the bench's own).
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
GUNICORN += ["liaison_portal.wsgi:application"]
GRID = "B01"  # the grid worker's: 5,000 of the enterprises

# pytest-django creates the test database only for tests that ask for it; this one's own
# rows are committed by its module's fixtures, before the test's transaction begins.
pytestmark = pytest.mark.django_db

# (title, path, who, the target as a share of /healthz's rate, or None: reported only)
PAGES = [
    ("/healthz", "/healthz", None, None),
    ("API list, first page", "/api/enterprises/", "token", 0.50),
    ("API list, ?paginate=cursor", "/api/enterprises/?paginate=cursor", "token", 0.50),
    ("API list, ?q=华信", "/api/enterprises/?q=%E5%8D%8E%E4%BF%A1", "token", 0.50),
    ("enterprise list page (staff)", "/enterprises/", "staff", 0.35),
    ("我的待办 /tasks/ (grid worker)", "/tasks/", "worker", 0.35),
    ("dashboard home (staff)", "/", "staff", None),
    ("dashboard home (grid worker)", "/", "worker", None),
]


def _server_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SELF_SERVICE_BASE_URL": "https://portal.park.example",
        "SMS_BACKEND": "outreach.messaging.backends.SmsBackend",
    }


def _clear_lights_and_tasks() -> None:
    """The bench database holds no tasks or lights but this module's (the dashboard bench
    adds its own, in its test's transaction)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL session_replication_role = replica;"  # the seed wrote no history either
            "DELETE FROM outreach_task; DELETE FROM monitoring_contacthealth;"
            "DELETE FROM monitoring_lightchange;"
        )
        summary_rebuild(cursor)


@pytest.fixture(scope="module")
def logins(django_db_setup, django_db_blocker):
    """Committed (gunicorn must see them), and removed afterwards for the other benches: the
    dashboard bench's lights and open tasks, those of grid B01 assigned to its grid worker;
    a staff member's and that worker's sessions, and the staff member's API token."""
    with django_db_blocker.unblock():
        _clear_lights_and_tasks()  # what a run stopped half-way left (pytest --reuse-db)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(LIGHTS_AND_TASKS, {"now": clock.now()})
            grid = GridArea.objects.get(code=GRID)
            staff = UserFactory(username="bench_http_staff")
            staff.groups.set([role_group(Role.STAFF)])
            worker = UserFactory(username="bench_http_grid")
            worker.groups.set([role_group(Role.GRID_WORKER)])
            grid.workers.add(worker)
            cursor.execute(
                "UPDATE outreach_task SET assignee_id = %s FROM registry_enterprise e"
                " WHERE e.id = outreach_task.enterprise_id AND e.grid_id = %s",
                [worker.pk, grid.pk],
            )
            summary_rebuild(cursor)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        token, _created = Token.objects.get_or_create(user=staff)
        headers = {"token": f"Authorization: Token {token.key}"}
        with override_settings(SECRET_KEY=SECRET_KEY):
            for who, user in (("staff", staff), ("worker", worker)):
                client = Client()
                client.force_login(user)
                headers[who] = f"Cookie: sessionid={client.cookies['sessionid'].value}"
        try:
            yield headers
        finally:
            _clear_lights_and_tasks()


@pytest.fixture(scope="module")
def server(logins):
    """gunicorn as docker-compose's `web` runs it, with 2 workers on a free local port."""
    if not WRK:
        pytest.skip("wrk is not installed (Debian package wrk: apt-get install -y wrk)")
    env = _server_env()
    # What the image does at build time (Dockerfile): the manifest the templates' {% static %}
    # needs under the production settings.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # an access-log line per request
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while _status(url + "/healthz", []) != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not start:\n{process.communicate()[1]}")
        time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page, say) is a failure here, not followed


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _status(url: str, headers: list[str]) -> int:
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        return 0


def _wrk(url: str, headers: list[str]) -> float:
    """Requests per second; fails on any error or response other than 2xx/3xx (wrk's own
    count), and the caller checks a 200 before and after, which a redirect is not."""
    arguments = [f"-H{header}" for header in headers]
    result = subprocess.run(
        [WRK, *WRK_ARGS, *arguments, url], capture_output=True, text=True, check=True
    )
    out = result.stdout
    assert "Non-2xx or 3xx responses" not in out and "Socket errors" not in out, out
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def test_pages_over_http_against_healthz(server, logins):
    # Behind the TLS proxy, as production is (else SECURE_SSL_REDIRECT answers a 301).
    proxied = ["X-Forwarded-Proto: https"]
    print(
        f"\nIssue 22 over HTTP: gunicorn, 2 sync workers, production settings, wrk "
        f"{' '.join(WRK_ARGS)} on the same machine"
    )
    missed = []
    healthz = None
    for title, path, who, target in PAGES:
        headers = proxied + ([logins[who]] if who else [])
        assert _status(server + path, headers) == 200, title
        rate = _wrk(server + path, headers)
        assert _status(server + path, headers) == 200, title
        healthz = healthz or rate
        ratio = rate / healthz
        verdict = ""
        if target is not None:
            verdict = f"target ≥ {target:.0%}: " + ("met" if ratio >= target else "NOT MET")
            if ratio < target:
                missed.append(title)
        print(f"  {title:<34} {rate:8.1f} req/s  {ratio:6.1%} of /healthz  {verdict}", flush=True)
    if missed:
        print(f"  below the issue's target: {', '.join(missed)}")
