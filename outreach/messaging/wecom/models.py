"""Group robots and the posts sent through them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.messaging.leasing import LeasedDelivery

__all__ = ["WeComPost", "WeComRobot"]


def mask_key(key: str) -> str:
    """The key as any page may show it: enough to tell two robots apart, never enough to post."""
    return f"xxxx…{key[-4:]}" if len(key) > 8 else "xxxx"


class WeComRobot(models.Model):
    """A WeCom group robot (群机器人): the webhook of one liaison group, usually one per grid."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # The grid whose liaison group this is; blank: a park-wide group.
    grid = models.ForeignKey(
        "registry.GridArea",
        verbose_name=_("grid area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wecom_robots",
    )
    # The webhook's key is the robot's only credential: whoever holds it posts to the group.
    # Stored, never shown back in full (mask_key).
    key = models.CharField(_("webhook key"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    # Set when WeCom refused the key (93000): its posts wait until an admin enters a new one.
    key_refused_at = models.DateTimeField(_("key refused at"), null=True, blank=True)
    key_refused_detail = models.CharField(_("why the key was refused"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("WeCom group robot")
        verbose_name_plural = _("WeCom group robots")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_key(self) -> str:
        return mask_key(self.key)

    @property
    def usable(self) -> bool:
        return self.active and self.key_refused_at is None


class WeComPost(LeasedDelivery):
    """One message to one group robot, and what became of it: delivered by a leasing worker
    like an outbox row (outreach.messaging.leasing; ``Status`` is LeasedDelivery's)."""

    class MsgType(models.TextChoices):
        TEXT = "text", _("Text")
        MARKDOWN = "markdown", _("Markdown notice")
        IMAGE = "image", _("Image")

    robot = models.ForeignKey(
        WeComRobot, verbose_name=_("group robot"), on_delete=models.PROTECT, related_name="posts"
    )
    campaign = models.ForeignKey(
        "outreach.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wecom_posts",
    )
    msgtype = models.CharField(_("message type"), max_length=10, choices=MsgType.choices)
    # Text and markdown: the content; an image: blank.
    content = models.TextField(_("content"), blank=True)
    # Text only: @所有人.
    mention_all = models.BooleanField(_("mention everyone"), default=False)
    # An image (≤ 2 MB, JPEG or PNG) and the MD5 of its bytes, as the robot API wants them.
    image = models.BinaryField(_("image"), null=True, blank=True)
    image_md5 = models.CharField(_("image MD5"), max_length=32, blank=True)
    image_name = models.CharField(_("image file"), max_length=200, blank=True)
    # When a worker last took it to send: the robot's 20-a-minute window counts these.
    attempted_at = models.DateTimeField(_("last attempted at"), null=True, blank=True)
    errcode = models.IntegerField(_("WeCom error code"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta(LeasedDelivery.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("WeCom post")
        verbose_name_plural = _("WeCom posts")
        indexes = [
            *LeasedDelivery.Meta.indexes,
            # The rate limit: a robot's posts attempted in the last minute.
            models.Index(fields=["robot", "attempted_at"], name="wecom_post_robot_window_idx"),
            # A campaign's posts on its page.
            models.Index(fields=["campaign", "id"], name="wecom_post_campaign_idx"),
        ]
        constraints = [
            *LeasedDelivery.Meta.constraints,
            models.CheckConstraint(
                condition=Q(msgtype="image", image__isnull=False)
                | (~Q(msgtype="image") & ~Q(content="")),
                name="wecom_post_has_content_or_image",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_msgtype_display()} → {self.robot}"
