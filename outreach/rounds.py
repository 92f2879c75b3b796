"""Today's round (今日走访): a worker's open tasks due by the end of the day (or of the week),
one stop per enterprise, grouped by the building it is in or, without a building, by the
street of its address, so that a morning of visits is one walk. The same stops make the
printable visit sheet (outreach.visit_sheet).

``round_groups`` is pure (unit-tested without a database); ``my_round`` reads: one query for
the tasks, one for the enterprises' current liaisons, whatever the registry's size.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from outreach.models import Task
from outreach.selectors import visible_tasks, week_end
from registry.address_key import street_name
from registry.models import Enterprise, Liaison

# A round longer than this is no day's walk; the page says how many were left out.
ROUND_TASKS = 300
SCOPES = ("today", "week")


@dataclass
class Stop:
    """One enterprise to visit, with every task of the round about it."""

    enterprise: Enterprise
    tasks: list[Task] = field(default_factory=list)
    liaison: Liaison | None = None
    # The liaison's mobile as the page shows it (registry.calls.protected_phone).
    mobile: dict = field(default_factory=dict)

    @property
    def address(self) -> str:
        return self.enterprise.operating_address or self.enterprise.registered_address

    @property
    def due_on(self) -> datetime.date:
        return min(task.due_on for task in self.tasks)


@dataclass
class RoundGroup:
    kind: str  # "building", "street" or "other"
    title: str
    stops: list[Stop] = field(default_factory=list)


@dataclass
class Round:
    scope: str
    until: datetime.date
    groups: list[RoundGroup]
    task_count: int
    left_out: int

    @property
    def stop_count(self) -> int:
        return sum(len(group.stops) for group in self.groups)


def _house_number(address: str) -> tuple:
    """Addresses along a street in the order of their numbers (88 before 1000)."""
    numbers = re.findall(r"[0-9]+", address or "")
    return (int(numbers[0]) if numbers else 0, address or "")


def round_groups(tasks: list[Task], liaisons: dict[int, Liaison] | None = None) -> list:
    """The tasks as stops, grouped: buildings by name, then streets by name, then what has
    neither; along a street in the order of the house numbers."""
    liaisons = liaisons or {}
    stops: dict[int, Stop] = {}
    for task in tasks:
        stop = stops.get(task.enterprise_id)
        if stop is None:
            stop = stops[task.enterprise_id] = Stop(
                enterprise=task.enterprise, liaison=liaisons.get(task.enterprise_id)
            )
        stop.tasks.append(task)
    groups: dict[tuple[str, str], RoundGroup] = {}
    for stop in stops.values():
        building = stop.enterprise.building if stop.enterprise.building_id else None
        if building is not None:
            key = ("building", f"{building.pk}")
            title = building.name
        elif street := street_name(stop.address):
            key, title = ("street", street), street
        else:
            key, title = ("other", ""), _("Address without a street")
        group = groups.setdefault(key, RoundGroup(kind=key[0], title=title))
        group.stops.append(stop)
    for group in groups.values():
        group.stops.sort(key=lambda stop: (_house_number(stop.address), stop.enterprise.name))
    order = {"building": 0, "street": 1, "other": 2}
    return sorted(groups.values(), key=lambda group: (order[group.kind], group.title))


def my_round(*, user, today: datetime.date, scope: str = "today") -> Round:
    """The user's own open tasks due by today (``today``: overdue ones too) or by Sunday
    (``week``), as a round."""
    until = week_end(today) if scope == "week" else today
    tasks = (
        visible_tasks(user)
        .filter(assignee=user, status=Task.Status.OPEN, due_on__lte=until)
        .select_related("enterprise", "enterprise__building")
        .order_by("due_on", "id")
    )
    rows = list(tasks[: ROUND_TASKS + 1])
    left_out = 0
    if len(rows) > ROUND_TASKS:
        rows = rows[:ROUND_TASKS]
        left_out = tasks.count() - ROUND_TASKS
    enterprise_ids = {task.enterprise_id for task in rows}
    liaisons = {
        liaison.enterprise_id: liaison
        for liaison in Liaison.objects.filter(
            enterprise_id__in=enterprise_ids, ended_on__isnull=True
        )
    }
    return Round(
        scope=scope,
        until=until,
        groups=round_groups(rows, liaisons),
        task_count=len(rows),
        left_out=left_out,
    )
