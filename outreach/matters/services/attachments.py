"""A matter's attachments (PDF, JPEG, PNG): every file is checked — its size, its kind by
content (core.uploads), how many the matter may hold — before anything is written; a refused
file is a ServiceError naming the field ``attachments`` and then no file and no row is left.

Limits: ``MATTER_ATTACHMENT_MAX_MB`` per file, ``MATTER_ATTACHMENT_MAX_FILES`` per matter.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.uploads import FileKind, display_name, document_kind
from outreach.matters.models import Matter, MatterAttachment
from outreach.matters.services.common import Action, step
from registry import clock

FIELD = "attachments"


@dataclass(frozen=True)
class CheckedFile:
    name: str  # as shown and downloaded
    kind: FileKind
    content: bytes


def _refused(message: str, code: str) -> ServiceError:
    return ServiceError(message, field=FIELD, code=code)


def attachments_check(files: list[UploadedFile], *, already: int = 0) -> list[CheckedFile]:
    """Each upload read and checked, in order; ``already``: the files the matter holds.

    ServiceError (field ``attachments``; code ``too_many``, ``too_large``, ``empty`` or
    ``type``) names the first file refused and why."""
    most = settings.MATTER_ATTACHMENT_MAX_FILES
    if already + len(files) > most:
        raise _refused(
            _("A matter holds at most %(most)d files (it has %(already)d already).")
            % {"most": most, "already": already},
            "too_many",
        )
    max_mb = settings.MATTER_ATTACHMENT_MAX_MB
    checked = []
    for upload in files:
        shown = (upload.name or "")[-100:]
        if upload.size > max_mb * 1024 * 1024:
            raise _refused(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": shown, "mb": max_mb},
                "too_large",
            )
        content = upload.read()
        if not content:
            raise _refused(_("“%(name)s” is empty.") % {"name": shown}, "empty")
        kind = document_kind(content)
        if kind is None:
            raise _refused(
                _(
                    "“%(name)s” is not a PDF, JPEG or PNG file (or it is damaged): only those "
                    "are accepted."
                )
                % {"name": shown},
                "type",
            )
        checked.append(CheckedFile(display_name(upload.name, kind), kind, content))
    return checked


def attachments_store(
    *, matter: Matter, files: list[CheckedFile], by, now: datetime.datetime
) -> list[MatterAttachment]:
    """Write checked files and their rows, and one step naming them, in the caller's
    transaction. A failure here removes the files written so far; a caller whose transaction
    fails after this call removes them with ``attachments_discard``."""
    if not files:
        return []
    stored: list[MatterAttachment] = []
    try:
        for checked in files:
            attachment = MatterAttachment(
                matter=matter,
                name=checked.name,
                content_type=checked.kind.content_type,
                size=len(checked.content),
                uploaded_by=by,
                uploaded_at=now,
            )
            # Stored by a name of our own: the browser's name is only shown.
            attachment.file.save(
                f"{matter.number}.{checked.kind.extension}",
                ContentFile(checked.content),
                save=False,
            )
            stored.append(attachment)
            attachment.save()
        step(
            matter,
            action=Action.ATTACH,
            at=now,
            by=by,
            from_state=matter.state,
            note="\n".join(attachment.name for attachment in stored),
        )
    except BaseException:
        attachments_discard(stored)
        raise
    return stored


def attachments_discard(stored: list[MatterAttachment]) -> None:
    """Remove the files of rows whose transaction is failing (the rows roll back with it)."""
    for attachment in stored:
        attachment.file.delete(save=False)


def matter_attachments_add(
    *, matter: Matter, files: list[UploadedFile], by, now: datetime.datetime | None = None
) -> list[MatterAttachment]:
    """Add files to a matter (in any state: papers often come after the answer)."""
    now = now or clock.now()
    if not files:
        raise _refused(_("Choose at least one file."), "required")
    with transaction.atomic():
        # The count is checked under the matter's lock: two uploads at once cannot pass it.
        Matter.objects.select_for_update().filter(pk=matter.pk).first()
        checked = attachments_check(files, already=matter.attachments.count())
        return attachments_store(matter=matter, files=checked, by=by, now=now)
