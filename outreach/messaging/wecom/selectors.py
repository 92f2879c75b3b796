"""Reads of group robots and posts, narrowed to what the user may see."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from outreach.messaging import rendering
from outreach.messaging.wecom import access
from outreach.messaging.wecom.models import WeComPost, WeComRobot

Status = WeComPost.Status


def robot_list() -> QuerySet[WeComRobot]:
    """Every robot with its posts waiting and failed (the admins' list)."""
    return WeComRobot.objects.select_related("grid").annotate(
        waiting=Count("posts", filter=Q(posts__status__in=[Status.QUEUED, Status.SENDING])),
        failed=Count("posts", filter=Q(posts__status=Status.FAILED)),
    )


def refused_robots(user) -> QuerySet[WeComRobot]:
    """Robots whose key WeCom refused, among those ``user`` posts to or manages."""
    robots = (
        WeComRobot.objects.all() if access.can_manage_robots(user) else access.postable_robots(user)
    )
    return robots.filter(active=True, key_refused_at__isnull=False)


def post_list(*, user, status: str = "", campaign=None) -> QuerySet[WeComPost]:
    posts = access.visible_posts(user).select_related("robot", "campaign", "created_by")
    if status in Status.values:
        posts = posts.filter(status=status)
    if campaign is not None:
        posts = posts.filter(campaign=campaign)
    # The image itself stays in the database: lists need its name only.
    return posts.defer("image")


def campaign_group_text(campaign) -> str:
    """A campaign's text for a whole group: the per-recipient placeholders in words for all,
    the attached materials' links as in every message."""
    from outreach.messaging.services import campaign_constants

    return rendering.render(
        campaign.body,
        {
            "enterprise": _("every enterprise"),
            "liaison": _("dear liaisons"),
            **campaign_constants(campaign),
        },
    ).strip()
