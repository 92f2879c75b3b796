"""Run the test suite as if it were another moment.

    python -m tests.at_date 2027-02-28T10:00 [pytest arguments …]     # the park's time
    python -m tests.at_date 2026-12-31T16:30Z [pytest arguments …]    # UTC
    python -m tests.at_date --all [pytest arguments …]                # every moment of MOMENTS

A park runs the portal every day of the year, so the suite must hold on a month's last day, a
leap day, a holiday, a make-up working Saturday and the evening UTC is still in the old year
while the park is already in the new one (issue 13).

How the clocks move: every Python process of the run (pytest, the Celery workers and the
gunicorn or ``manage.py`` processes the tests start) travels with time-machine by the same
*offset* from the real clock, set at its start by ``tests/moved_clock/sitecustomize.py``, and
keeps ticking, so they all agree. PostgreSQL keeps the real clock: that is the point of the one
clock (registry/clock.py) — every decision gets its dates from Python as parameters and the
database's ``now()`` only stamps rows — so a decision that still reads the database's clock
fails here. (Debian's libfaketime 0.9.10 was tried for moving PostgreSQL too: it makes
Python's ``time.sleep`` fail with EINVAL when the monotonic clock is left alone, and timed
waits on threads hang when it is not.)

Browser tests, the schemathesis walk and the tests marked ``dateless`` (the SMS providers'
worker runs: minutes of sending with no date in any decision) are left out: CI's time is
bounded, and they run at today's date in both of CI's ordinary passes.
"""

import datetime
import os
import signal
import subprocess
import sys
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARK = zoneinfo.ZoneInfo("Asia/Shanghai")

# The moments CI runs the suite at, each with why it matters. Without a zone: the park's time.
MOMENTS = {
    "2026-11-30T10:00": "a month's last day (the dashboard's months, the planner's month edges)",
    "2027-02-28T10:00": "a month's end in a year chinesecalendar 1.11 does not cover",
    "2028-02-29T10:00": "a leap day",
    "2026-02-28T10:00": "a make-up working Saturday (调休) of the Spring Festival",
    "2026-10-03T10:00": "inside the National Day holiday",
    "2026-02-18T10:00": "inside the Spring Festival holiday",
    "2026-12-31T16:30Z": "16:30 UTC on 31 December: already 1 January 2027 in the park",
}


def parse_moment(text: str) -> datetime.datetime:
    """An ISO moment; without a zone it is the park's, ``Z`` is UTC."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=PARK)


def environment(moment: datetime.datetime) -> dict[str, str]:
    """The environment of a test process whose clock reads ``moment`` now."""
    offset = (moment - datetime.datetime.now(datetime.UTC)).total_seconds()
    path = [str(ROOT / "tests" / "moved_clock"), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in path if p),
        "LIAISON_CLOCK_OFFSET": f"{offset:.3f}",
    }


def run_at(moment: datetime.datetime, pytest_args: list[str]) -> int:
    local = moment.astimezone(PARK)
    print(f"== tests at {moment.isoformat()} (the park: {local:%Y-%m-%d %H:%M %a})", flush=True)
    # Marked ``dateless``: slow tests in which nothing depends on the date (pyproject.toml's
    # markers); they run in both of CI's ordinary passes, never left out of ``make test``.
    marks = "not browser and not dateless"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", marks]
    # time-machine is imported before pytest (sitecustomize), so pytest cannot rewrite it.
    command += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    # Left out as well, to keep CI within its time: walks that take minutes and in which
    # nothing depends on the date (schemathesis over the API's schema, the masking walk over
    # every page) and the production settings' checks (a manage.py process each).
    command += ["--ignore=tests/browser", "--ignore=tests/registry/api/test_schemathesis.py"]
    command += [
        "--ignore=tests/test_masking_walk.py",
        "--ignore=tests/liaison_portal/test_settings.py",
    ]
    command += pytest_args
    process = subprocess.Popen(command, cwd=ROOT, env=environment(moment))
    try:
        return process.wait()
    finally:
        # Stopped (Ctrl-C, SIGTERM): the test run stops too, not left behind on its database.
        if process.poll() is None:
            process.terminate()
            process.wait()


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 2
    if argv[0] != "--all":
        return run_at(parse_moment(argv[0]), argv[1:])
    failed = []
    for text, why in MOMENTS.items():
        print(f"== {text}: {why}", flush=True)
        if run_at(parse_moment(text), argv[1:]) != 0:
            failed.append(text)
    if failed:
        print("FAILED at: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
