"""Writes of the material library: staff keep materials (files checked by content, as a
matter's attachments are), send them after an event, post them to WeCom groups. A broken
rule is a ServiceError naming the field."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.uploads import JPEG, PDF, PNG, FileKind, display_name, document_kind
from outreach.events.models import Event
from outreach.materials import links
from outreach.materials.models import Material, MaterialTopic
from outreach.messaging import refusals, window
from outreach.messaging.defaults import EVENT_MATERIALS_TEMPLATE, default_template
from outreach.messaging.exclusions import paused_sql
from outreach.messaging.models import MessageTemplate
from outreach.messaging.services import deliver_after_commit
from outreach.messaging.wecom import services as wecom
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from outreach.sql.materials import event_materials_write
from registry import clock
from registry.workdays import WorkCalendar

# The kinds of file each kind of material takes (told by content: core.uploads).
FILE_KINDS: dict[str, tuple[FileKind, ...]] = {
    Material.Kind.IMAGE: (JPEG, PNG),
    Material.Kind.PDF: (PDF,),
}
EVENT_MATERIALS_PURPOSE = "event-materials"


@dataclass(frozen=True)
class CheckedFile:
    name: str  # as shown and downloaded
    kind: FileKind
    content: bytes


def material_file_check(upload: UploadedFile, *, kind: str) -> CheckedFile:
    """The upload read and checked: its size (MATERIAL_MAX_MB), that it is a PDF, JPEG or PNG
    by its content, and that this is what ``kind`` takes. ServiceError (field ``file``; code
    ``too_large``, ``empty`` or ``type``)."""
    max_mb = settings.MATERIAL_MAX_MB
    shown = (upload.name or "")[-100:]
    if upload.size > max_mb * 1024 * 1024:
        raise ServiceError(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": shown, "mb": max_mb},
            field="file",
            code="too_large",
        )
    content = upload.read()
    if not content:
        raise ServiceError(_("“%(name)s” is empty.") % {"name": shown}, field="file", code="empty")
    found = document_kind(content)
    if found is None or found not in FILE_KINDS[kind]:
        message = (
            _("“%(name)s” is not a JPEG or PNG image (or it is damaged).")
            if kind == Material.Kind.IMAGE
            else _("“%(name)s” is not a PDF file (or it is damaged).")
        )
        raise ServiceError(message % {"name": shown}, field="file", code="type")
    return CheckedFile(display_name(upload.name, found), found, content)


def _checked_fields(*, title: str, topic: MaterialTopic | None, kind: str, url: str) -> dict:
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise ServiceError(_("Enter the title."), field="title", code="required")
    if topic is None:
        raise ServiceError(_("Choose the topic."), field="topic", code="required")
    if kind not in Material.Kind.values:
        raise ServiceError(_("Choose the kind of material."), field="kind", code="required")
    url = (url or "").strip()
    if kind == Material.Kind.VIDEO and not url.startswith(("https://", "http://")):
        raise ServiceError(
            _("Enter the video's address (https://…)."), field="url", code="required"
        )
    return {"title": title[:100], "topic": topic, "kind": kind, "url": url}


def _store(material: Material, checked: CheckedFile | None) -> None:
    if checked is None:
        return
    material.file_name = checked.name
    material.content_type = checked.kind.content_type
    material.size = len(checked.content)
    # Stored by a name of our own: the browser's name is only shown.
    material.file.save(
        f"material.{checked.kind.extension}", ContentFile(checked.content), save=False
    )


def material_create(
    *,
    title: str,
    topic: MaterialTopic | None,
    kind: str,
    upload: UploadedFile | None = None,
    url: str = "",
    description: str = "",
    published: bool = True,
    by,
    now: datetime.datetime | None = None,
) -> Material:
    """A new material: an image or a PDF (``upload``, checked) or a video's ``url``."""
    now = now or clock.now()
    fields = _checked_fields(title=title, topic=topic, kind=kind, url=url)
    checked = None
    if kind != Material.Kind.VIDEO:
        if upload is None:
            raise ServiceError(_("Choose the file."), field="file", code="required")
        checked = material_file_check(upload, kind=kind)
        fields["url"] = ""
    material = Material(
        **fields,
        description=(description or "").replace("\x00", "").strip()[:2000],
        published=published,
        token=links.token_new(),
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    _store(material, checked)
    try:
        with transaction.atomic():
            material.save()
    except BaseException:
        if material.file:
            material.file.delete(save=False)
        raise
    return material


def material_update(
    *,
    material: Material,
    title: str,
    topic: MaterialTopic | None,
    upload: UploadedFile | None = None,
    url: str = "",
    description: str = "",
    published: bool = True,
    by,
    now: datetime.datetime | None = None,
) -> Material:
    """Edit a material; its kind stays (a new file must be of the same kind), and so does its
    link: a liaison's old message opens the new version."""
    fields = _checked_fields(title=title, topic=topic, kind=material.kind, url=url)
    checked = None
    if material.kind != Material.Kind.VIDEO and upload is not None:
        checked = material_file_check(upload, kind=material.kind)
    if material.kind != Material.Kind.VIDEO:
        fields["url"] = ""
    old_file = material.file.name if checked else None
    for name, value in fields.items():
        setattr(material, name, value)
    material.description = (description or "").replace("\x00", "").strip()[:2000]
    material.published = published
    material.updated_at = now or clock.now()
    _store(material, checked)
    try:
        with transaction.atomic():
            material.save()
    except BaseException:
        if checked:
            material.file.delete(save=False)
        raise
    if old_file:
        material.file.storage.delete(old_file)
    return material


def material_publish_set(
    *, material: Material, published: bool, by, now: datetime.datetime | None = None
) -> Material:
    """Publish or unpublish: an unpublished material's link shows "no longer available" and
    it cannot be sent or attached any more (messages already sent keep their text)."""
    material.published = published
    material.updated_at = now or clock.now()
    material.save(update_fields=["published", "updated_at"])
    return material


def _published(materials: list[Material]) -> list[Material]:
    if not materials:
        raise ServiceError(_("Choose at least one material."), field="materials", code="required")
    most = settings.MATERIALS_PER_MESSAGE
    if len(materials) > most:
        raise ServiceError(
            _("A message carries at most %(most)d materials.") % {"most": most},
            field="materials",
            code="too_many",
        )
    if any(not material.published for material in materials):
        raise ServiceError(
            _("An unpublished material cannot be sent."), field="materials", code="unpublished"
        )
    return materials


@dataclass(frozen=True)
class EventSend:
    deliveries: int  # (liaison, material) pairs recorded now
    messages: int  # SMS written (one per liaison who had something new)
    queued: int  # of which queued (the others: no mobile)
    send_at: datetime.datetime


def event_materials_send(
    *,
    event: Event,
    materials: list[Material],
    answered: bool = True,
    by,
    now: datetime.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> EventSend:
    """After ``event``, send ``materials`` (published, at most MATERIALS_PER_MESSAGE) to its
    audience (outreach.sql.materials: ``answered``: those who said they come or send a
    colleague; else every invitee): one SMS per liaison listing the materials new to them,
    in the sending window (its next start when it is closed). Sending again reaches only
    whoever did not have a material yet."""
    now = now or clock.now()
    calendar = calendar or WorkCalendar.load()
    materials = _published(list(materials))
    if event.starts_at > now:
        raise ServiceError(
            _("Material is sent after the event: it has not started yet."), field="event"
        )
    template = MessageTemplate.objects.filter(key=EVENT_MATERIALS_TEMPLATE).first()
    if template is None:  # an admin deleted it: the default text
        template = MessageTemplate.objects.create(**default_template(EVENT_MATERIALS_TEMPLATE))
    refusals.template_require_approved(template)
    send_at = window.next_start(now, calendar=calendar)
    with transaction.atomic(), connection.cursor() as cursor:
        deliveries, written, queued = event_materials_write(
            cursor,
            event_id=event.pk,
            event_name=event.topic,
            materials=[(material.pk, links.link_line(material)) for material in materials],
            answered=answered,
            paused=paused_sql(clock.today(now)),
            body=template.body,
            template_id=template.pk,
            purpose=EVENT_MATERIALS_PURPOSE,
            by_id=by.pk if by else None,
            now=now,
            send_at=send_at,
        )
        if queued and send_at <= now:
            deliver_after_commit()
    return EventSend(deliveries=deliveries, messages=written, queued=queued, send_at=send_at)


def material_wecom_post(
    *, material: Material, robots: list[WeComRobot], as_image: bool = True, by
) -> list[WeComPost]:
    """Post a material to WeCom groups through the group robots (the posts' own service and
    delivery): an image small enough for the robot API (≤ 2 MB) as the picture itself and a
    markdown notice with its title, description and link (two posts: the robot API's image
    message has no caption); a PDF or a video as the notice alone (the robot's file message
    needs an upload of its own first, which the client does not speak)."""
    if not material.published:
        raise ServiceError(
            _("An unpublished material cannot be posted."), field="material", code="unpublished"
        )
    posts = []
    with transaction.atomic():
        if as_image and material.kind == Material.Kind.IMAGE:
            if material.size > wecom.IMAGE_MAX_BYTES:
                raise ServiceError(
                    _(
                        "The image is larger than 2 MB (WeCom's limit): post it as a link, or "
                        "upload a smaller version."
                    ),
                    field="as_image",
                )
            with material.file.open("rb") as file:
                image = file.read()
            posts += wecom.post_create(
                robots=robots,
                msgtype=WeComPost.MsgType.IMAGE,
                image=image,
                image_name=material.file_name,
                by=by,
            )
        posts += wecom.post_create(
            robots=robots,
            msgtype=WeComPost.MsgType.MARKDOWN,
            content=material_markdown(material),
            by=by,
        )
    return posts


def material_markdown(material: Material) -> str:
    """The group notice of a material: its title as a link, its topic and description."""
    title = material.title.replace("[", "【").replace("]", "】")
    lines = [f"**[{title}]({links.material_url(material)})**", f"> {material.topic.name}"]
    if material.description:
        lines.append(material.description[:1000])
    lines.append(_("Tap the title to open it."))
    return "\n".join(lines)
