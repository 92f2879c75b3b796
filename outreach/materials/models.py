"""The material library: topics, materials, and who was sent which material after an event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models import Enterprise, Liaison

__all__ = ["EventMaterialDelivery", "Material", "MaterialTopic"]


class MaterialTopic(models.Model):
    """What a material is about (年报, 社保公积金, 登记改革, 政策解读 …); admins keep the list in
    the admin, the defaults come with the migration."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("material topic")
        verbose_name_plural = _("material topics")

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """One piece of material: an uploaded image or PDF (checked by its content, served only
    through its link's view, never as public media) or a video's address.

    ``token`` is the public link's secret (``/m/<token>/``): the material is public once
    published, so the token is kept as it is (staff copy the link); unpublishing closes it."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image (一图看懂)")
        PDF = "pdf", _("PDF")
        VIDEO = "video", _("Video link")

    title = models.CharField(_("title"), max_length=100)
    topic = models.ForeignKey(
        MaterialTopic, verbose_name=_("topic"), related_name="materials", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=120, blank=True)
    content_type = models.CharField(_("file type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    url = models.URLField(_("video address"), max_length=500, blank=True)
    description = models.TextField(_("what it is about"), max_length=2000, blank=True)
    published = models.BooleanField(_("published"), default=True)
    token = models.CharField(max_length=43, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("material")
        verbose_name_plural = _("library materials")
        constraints = [
            # A video is a link, the others a file: never both, never neither.
            models.CheckConstraint(
                condition=(Q(kind="video") & ~Q(url="") & Q(file=""))
                | (~Q(kind="video") & Q(url="") & ~Q(file="")),
                name="material_file_or_video_link",
            ),
        ]
        indexes = [models.Index(fields=["topic", "-created_at"], name="material_topic_idx")]

    def __str__(self) -> str:
        return self.title


class EventMaterialDelivery(models.Model):
    """A material sent to a liaison after an event: one row per event, material and liaison,
    so sending the same material again reaches only those who did not have it yet."""

    event = models.ForeignKey(
        "outreach.Event",
        verbose_name=_("event"),
        related_name="material_deliveries",
        on_delete=models.CASCADE,
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), related_name="deliveries", on_delete=models.CASCADE
    )
    liaison = models.ForeignKey(
        Liaison, verbose_name=_("liaison"), related_name="+", on_delete=models.CASCADE
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), related_name="+", on_delete=models.CASCADE
    )
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["event", "material", "id"]
        verbose_name = _("material sent after an event")
        verbose_name_plural = _("materials sent after events")
        constraints = [
            # The send inserts with ON CONFLICT DO NOTHING against this: once per liaison.
            models.UniqueConstraint(
                fields=["event", "material", "liaison"], name="material_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.material_id} · {self.liaison_id}"
