"""The navigation's badge on "My tasks": the user's own open tasks overdue or due today.

Lazy and once per request: the count is read only when a page renders the navigation, by one
query (outreach.selectors.my_task_counts), and the tasks page reuses the same counts.
"""

from django.utils.functional import cached_property

from outreach.selectors import TaskCounts, my_task_counts
from registry import clock

REQUEST_ATTRIBUTE = "outreach_task_counts"


class TaskBadge:
    def __init__(self, request):
        self.request = request

    @cached_property
    def counts(self) -> TaskCounts:
        return my_task_counts(user=self.request.user, today=clock.today())

    def __str__(self) -> str:
        return str(self.counts.due_now)

    def __bool__(self) -> bool:
        return self.counts.due_now > 0


def task_badge_of(request) -> TaskBadge:
    """The request's one badge (made on first use)."""
    badge = getattr(request, REQUEST_ATTRIBUTE, None)
    if badge is None:
        badge = TaskBadge(request)
        setattr(request, REQUEST_ATTRIBUTE, badge)
    return badge


def task_badge(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"task_badge": task_badge_of(request)}
