"""Who may do what with group robots and their posts (deny by default).

Admins manage robots (their keys are credentials). Admins and staff post to any group; a
grid worker posts to the groups of their own grids, as they work those liaisons. Everyone
with a role reads the posts they could have made or may audit.
"""

from django.db.models import Q, QuerySet

from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry.access import SEE_EVERYTHING
from registry.roles import Role, user_role


def can_manage_robots(user) -> bool:
    return user_role(user) == Role.ADMIN


def can_post(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.STAFF, Role.GRID_WORKER}


def can_read_posts(user) -> bool:
    return user_role(user) is not None


def _robot_scope(user, prefix: str = "") -> Q:
    role = user_role(user)
    if role in SEE_EVERYTHING:
        return Q()
    if role == Role.GRID_WORKER:
        return Q(**{f"{prefix}grid__workers": user})
    return Q(pk__in=[])


def postable_robots(user) -> QuerySet[WeComRobot]:
    """The active robots ``user`` may post to."""
    if not can_post(user):
        return WeComRobot.objects.none()
    return WeComRobot.objects.filter(_robot_scope(user), active=True).distinct()


def visible_posts(user) -> QuerySet[WeComPost]:
    return WeComPost.objects.filter(
        robot__in=WeComRobot.objects.filter(_robot_scope(user)).values("pk")
    )
