"""`make run`: migrate, seed a demo park on the first run, then serve the portal, a Celery
worker and exactly one beat together. Ctrl-C stops all of them (and the embedded PostgreSQL
if this run started it).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from core.product import PRODUCT_NAME
from liaison_portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "demo-pass-2026"


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


def link_base_url(host: str, port: int) -> str:
    """Where the demo's personal links point: this server, on the port it listens on. A host
    that means "every interface" is reached as localhost."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _banner(url: str) -> str:
    users = "\n".join(
        f"    {name:<8} {role}"
        for name, role in [
            ("admin", "管理员 park admin"),
            ("staff", "园区服务专员 service staff"),
            ("grid1", "网格员 grid worker (网格一)"),
            ("grid2", "网格员 grid worker (网格二)"),
            ("auditor", "只读审计 auditor"),
        ]
    )
    return (
        f"\n  {PRODUCT_NAME['zh-hans']} / {PRODUCT_NAME['en']} is running at {url}\n"
        f"  Demo logins (password {DEMO_PASSWORD}):\n{users}\n"
        f"  Health: {url}healthz    Press Ctrl-C to stop everything.\n"
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            # Celery's main process shuts its own pool down (a warm shutdown, letting running
            # tasks finish); runserver's autoreloader leaves its serving child behind unless
            # the whole process group is told.
            if process.args[2] == "runserver":
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison_portal.settings.dev")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    if not _port_free(host, port):
        print(f"Port {port} is in use. Stop what uses it, or run: PORT=8001 make run")
        return 1
    # The links the demo sends (the worker renders them) open this server, whatever PORT is.
    os.environ.setdefault("SELF_SERVICE_BASE_URL", link_base_url(host, port))
    started_embedded = _use_database()
    _manage("migrate", "--noinput", "-v", "0")
    _seed_demo_park()
    processes = [
        subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)
        for command in _commands(host, port)
    ]
    try:
        return _serve(processes, url=f"http://{host}:{port}/")
    finally:
        _stop(processes)
        if started_embedded:
            embedded.stop()
        print("Stopped.", flush=True)


def _use_database() -> bool:
    """DATABASE_URL if set, else the embedded PostgreSQL, started once here so that every
    child simply connects. True if this run started it (and so stops it)."""
    if os.environ.get("DATABASE_URL"):
        return False
    started = not embedded.is_running()
    os.environ["DATABASE_URL"] = embedded.database_url()
    return started


def _seed_demo_park() -> None:
    """On the first run only (--if-empty). In this order: the registry's park with its demo
    steps (outreach's contact history, then monitoring's lights: registry.demo), then the
    outreach demo written through the real services, which needs the park's staff user and
    enterprises (a campaign, personal links, matters)."""
    _manage("seed_demo", "--if-empty")
    _manage("seed_outreach_demo", "--if-empty")


def _commands(host: str, port: int) -> list[list[str]]:
    """The web server, a Celery worker, and exactly one beat (two would run every periodic
    task twice)."""
    celery = [PYTHON, "-m", "celery", "-A", "liaison_portal"]
    data_dir = embedded.DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        [PYTHON, "manage.py", "runserver", f"{host}:{port}"],
        [*celery, "worker", "-l", "info", "--concurrency", "2", "-n", "portal@%h"],
        [*celery, "beat", "-l", "info", "-s", str(data_dir / "celerybeat-schedule")],
    ]


def _serve(processes: list[subprocess.Popen], *, url: str) -> int:
    """Until Ctrl-C (0) or until one of the processes stops by itself (1)."""
    # Ctrl-C and a plain `kill` both stop everything, even when started from a shell that
    # launched us with SIGINT ignored (background jobs do).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        time.sleep(2)
        print(_banner(url), flush=True)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        print("A portal process stopped unexpectedly; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
