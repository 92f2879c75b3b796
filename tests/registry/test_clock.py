"""The one clock (registry/clock.py): the park's date, calendar months, and a guard that no
decision reads another clock."""

import ast
import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine

from registry import clock

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
APPS = ("liaison_portal", "core", "accounts", "registry", "outreach", "monitoring")
# The one clock: the instant (accounts/clock.py, the lowest app) and the park's date on it.
CLOCKS = {"accounts/clock.py", "registry/clock.py"}


def test_the_parks_date_is_a_day_ahead_of_utc_after_16_00_utc():
    with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)):
        assert clock.today() == datetime.date(2027, 1, 1)
        assert clock.local().hour == 0 and clock.local().minute == 30


def test_the_start_of_a_day_is_midnight_in_the_park():
    start = clock.start_of_day(datetime.date(2027, 1, 1))
    assert start == datetime.datetime(2026, 12, 31, 16, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 11, 30), -4, datetime.date(2026, 7, 1)),
        (datetime.date(2026, 1, 15), -1, datetime.date(2025, 12, 1)),
        (datetime.date(2026, 12, 31), 1, datetime.date(2027, 1, 1)),
        (datetime.date(2028, 2, 29), -12, datetime.date(2027, 2, 1)),
    ],
)
def test_months_are_calendar_months(day, months, expected):
    assert clock.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 5, 31), 3, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 3, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 30), 6, datetime.date(2026, 5, 30)),
    ],
)
def test_months_back_clips_to_the_end_of_a_shorter_month(day, months, expected):
    assert clock.months_back(day, months) == expected


# Python's clocks, called anywhere but the one clock (CLOCKS).
PYTHON_CLOCKS = {
    "timezone.now",
    "timezone.localdate",
    "timezone.localtime",
    "date.today",
    "datetime.now",
    "datetime.utcnow",
    "datetime.today",
    "datetime.datetime.now",
    "datetime.date.today",
    "time.time",
}
# The database's clock inside SQL text: a decision gets its time as a parameter instead.
SQL_CLOCKS = re.compile(
    r"\b(now\(\)|current_date|current_timestamp|localtimestamp|clock_timestamp\(\)|"
    r"statement_timestamp\(\)|transaction_timestamp\(\))",
    re.IGNORECASE,
)
# History events are stamped by pghistory's trigger inside the database: a row stamp (when
# the change was written), set by the settings; registry.sql.history falls back to pghistory's
# default.
ALLOWED = {
    ("liaison_portal/settings/base.py", "clock_timestamp()"),
    ("registry/sql/history.py", "NOW()"),
    # The security log's DELETE trigger: a floor of 183 days the database enforces whatever
    # the Python purge decides (registry.models.SecurityEvent).
    ("registry/models.py", "now()"),
}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in CLOCKS:
                continue
            yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _docstrings(tree) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _clock_reads(relative: str, tree):
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in PYTHON_CLOCKS:
            yield node.lineno, ast.unparse(node.func) + "()"
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            for match in SQL_CLOCKS.finditer(node.value):
                if (relative, match.group(0)) not in ALLOWED:
                    yield node.lineno, match.group(0)


def test_every_decision_reads_the_one_clock():
    found = [
        f"{relative}:{line}: {what}"
        for relative, tree in _sources()
        for line, what in _clock_reads(relative, tree)
    ]
    assert not found, "read registry.clock and pass the time down:\n" + "\n".join(found)


@pytest.mark.django_db
def test_a_change_carries_the_time_it_was_made_by_the_one_clock(staff_user):
    from django.apps import apps

    from registry import services
    from tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory()
    # Python's clock years away from the database server's: the change says Python's time.
    moment = datetime.datetime(2031, 3, 1, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        services.enterprise_update(enterprise=enterprise, by=staff_user, industry="软件")
    event = (
        apps.get_model("registry", "EnterpriseEvent")
        .objects.filter(pgh_obj_id=enterprise.pk, pgh_label="update")
        .select_related("pgh_context")
        .get()
    )
    assert datetime.datetime.fromisoformat(event.pgh_context.metadata["at"]) == moment
