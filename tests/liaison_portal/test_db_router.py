"""The replica router's rules (liaison_portal/db_router.py), with the replica a test mirror of
the test database: a second connection to the same database, as Django's TEST MIRROR makes.
The real streaming replica: test_replica_streaming.py."""

import copy
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_started
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from core.replica import read_connection, reads_from_replica
from liaison_portal import db_router
from monitoring.models import ContactHealth
from registry.models import Enterprise, GridArea
from tests.factories import EnterpriseFactory, GridAreaFactory

ROOT = Path(__file__).resolve().parents[2]
ROUTER = "liaison_portal.db_router.PrimaryReplicaRouter"


# With DATABASE_REPLICA_URL set the suite has a configured "replica" (a test mirror) that the
# tests must declare; without it the fixture makes the mirror connection by hand (a configured
# alias the test did not declare would be refused, and this one cannot be declared).
CONFIGURED = "replica" in django_settings.DATABASES
with_replica = pytest.mark.django_db(
    transaction=True, databases=["default", "replica"] if CONFIGURED else ["default"]
)


@pytest.fixture
def replica(settings, monkeypatch):
    """A "replica" connection mirroring the test database, the router installed, writes
    watched. (Transactional tests: the mirror is another connection and sees only what was
    committed, and the router keeps reads inside a transaction on the primary.)"""
    default = connections["default"]
    if not CONFIGURED:
        mirror = copy.deepcopy(default.settings_dict)
        mirror["TEST"] = {**mirror.get("TEST", {}), "MIRROR": "default"}
        connections["replica"] = load_backend(mirror["ENGINE"]).DatabaseWrapper(mirror, "replica")
        monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    settings.DATABASE_ROUTERS = [ROUTER]
    db_router.availability.forget()
    db_router.watch_primary_writes(None, default)
    request_started.connect(db_router.forget_writes, dispatch_uid="test-replica-forget")
    db_router.forget_writes()
    replica_settings = copy.deepcopy(connections["replica"].settings_dict)
    yield connections["replica"]
    request_started.disconnect(dispatch_uid="test-replica-forget")
    db_router.unwatch_primary_writes(default)
    db_router.forget_writes()
    db_router.availability.forget()
    connections["replica"].close()
    if CONFIGURED:
        connections["replica"].settings_dict.update(replica_settings)
    else:
        del connections["replica"]


@with_replica
def test_reads_go_to_the_primary_unless_marked(replica):
    assert Enterprise.objects.all().db == "default"
    with reads_from_replica():
        assert Enterprise.objects.all().db == "replica"
    assert Enterprise.objects.all().db == "default"


@with_replica
def test_a_marked_read_runs_on_the_replica_connection(replica):
    EnterpriseFactory()
    request_started.send(sender=None)  # a later request: this one wrote
    with reads_from_replica(), CaptureQueriesContext(replica) as on_replica:
        assert Enterprise.objects.count() == 1
        with read_connection(ContactHealth).cursor() as cursor:
            cursor.execute("SELECT 1")
    assert len(on_replica.captured_queries) == 2


@with_replica
def test_the_decorator_marks_the_reads_of_the_function(replica):
    @reads_from_replica()
    def lister():
        return Enterprise.objects.all().db

    assert lister() == "replica"
    assert Enterprise.objects.all().db == "default"


@with_replica
def test_writes_go_to_the_primary_even_when_marked(replica):
    with reads_from_replica():
        grid = GridArea.objects.create(code="W1", name="写入")
        assert grid._state.db == "default"


@with_replica
def test_a_read_after_a_write_stays_on_the_primary_until_the_next_request(replica):
    with reads_from_replica():
        assert Enterprise.objects.all().db == "replica"
        GridAreaFactory()
        assert Enterprise.objects.all().db == "default"
    request_started.send(sender=None)
    with reads_from_replica():
        assert Enterprise.objects.all().db == "replica"


@with_replica
def test_raw_sql_writes_pin_to_the_primary_too(replica):
    with connections["default"].cursor() as cursor:
        cursor.execute("UPDATE registry_gridarea SET name = name WHERE false")
    with reads_from_replica():
        assert Enterprise.objects.all().db == "default"


@with_replica
def test_reads_of_a_model_written_elsewhere_in_get_or_create_stay_marked(replica):
    # get_or_create asks for the write database first; only a real write pins.
    grid = GridAreaFactory()
    request_started.send(sender=None)
    with reads_from_replica():
        GridArea.objects.get_or_create(pk=grid.pk)
        assert Enterprise.objects.all().db == "replica"


@with_replica
def test_reads_inside_a_transaction_stay_on_the_primary(replica):
    with reads_from_replica(), transaction.atomic():
        assert Enterprise.objects.all().db == "default"


@with_replica
def test_an_unreachable_replica_sends_reads_to_the_primary_and_is_retried_later(
    replica, monkeypatch, caplog
):
    replica.settings_dict["PORT"] = "1"  # nothing listens there
    replica.settings_dict.setdefault("OPTIONS", {})["connect_timeout"] = 1
    replica.close()
    with (
        caplog.at_level(logging.WARNING, logger="liaison_portal.db_router"),
        reads_from_replica(),
    ):
        assert Enterprise.objects.all().db == "default"
        assert Enterprise.objects.count() == 0  # answered, by the primary
        assert Enterprise.objects.all().db == "default"
    warnings = [r for r in caplog.records if r.name == "liaison_portal.db_router"]
    assert len(warnings) == 1
    assert "read replica cannot be reached" in warnings[0].getMessage()
    # Past the retry period the replica is tried again.
    monkeypatch.setattr(db_router.availability, "down_until", 0.0)
    replica.settings_dict["PORT"] = connections["default"].settings_dict["PORT"]
    with reads_from_replica():
        assert Enterprise.objects.all().db == "replica"


@with_replica
def test_objects_from_both_aliases_may_be_related(replica):
    router = db_router.PrimaryReplicaRouter()
    on_replica, on_primary = GridArea(code="R"), Enterprise()
    on_replica._state.db, on_primary._state.db = "replica", "default"
    assert router.allow_relation(on_replica, on_primary) is True
    assert router.allow_migrate("replica", "registry") is False
    assert router.allow_migrate("default", "registry") is None


@with_replica
def test_the_dashboard_reads_its_figures_from_the_replica(replica, client, staff_user):
    client.force_login(staff_user)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get("/")
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in on_replica.captured_queries)
    assert "monitoring_contacthealth" in sql
    assert "django_session" not in sql


@pytest.mark.parametrize(
    ("sql", "reads"),
    [
        ("SELECT 1", True),
        ("  select count(*) from registry_enterprise", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),
        ("WITH x AS (DELETE FROM t RETURNING id) SELECT * FROM x", False),
        ("INSERT INTO t VALUES (1)", False),
        # pghistory's and pgtrigger's context before the statement it belongs to
        ("SELECT set_config('pghistory.context_id', %s, true); INSERT INTO t VALUES (1)", False),
        ("SELECT set_config('pgtrigger.ignore', %s, true); SELECT 1", True),
        ("UPDATE t SET a = 1", False),
        ("SAVEPOINT s1", False),
        ("COPY t FROM STDIN", False),
    ],
)
def test_which_statements_count_as_reads(sql, reads):
    assert db_router.statement_reads_only(sql) is reads


def _settings_of(environ: dict) -> str:
    code = (
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        "settings.DATABASES.get('replica', {}).get('TEST'), "
        "settings.DATABASES.get('replica', {}).get('OPTIONS'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **{k: v for k, v in __import__("os").environ.items() if k != "DATABASE_REPLICA_URL"},
            "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
            **environ,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_without_a_replica_url_there_is_no_replica_and_no_router():
    assert _settings_of({}).startswith("['default'] []")


def test_a_replica_url_adds_the_alias_a_test_mirror_in_the_suite():
    out = _settings_of({"DATABASE_REPLICA_URL": "postgres://portal@replica.internal:5432/portal"})
    assert out.startswith(f"['default', 'replica'] ['{ROUTER}'] {{'MIRROR': 'default'")
    assert "'connect_timeout': 2" in out
