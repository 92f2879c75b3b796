"""走访打卡: an on-site visit logged from the worker's phone, with its evidence — a photo of
the door plate or signboard and, with the worker's consent, where the phone was. The attempt
is the contact log's (contact_attempt_record, with all it means: tasks, the plan, the light);
the evidence is written in the same transaction, or nothing is.

The photo is judged by its content (core.uploads: a JPEG or PNG that Pillow opens), never by
its name or the type the browser sent; ``VISIT_PHOTO_MAX_MB`` bounds its size. It is stored
without its metadata (a phone's photo carries where it was taken: only the consented location
is kept).
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.uploads import JPEG, PNG, FileKind, display_name, document_kind
from outreach.models import ContactAttempt, VisitEvidence
from outreach.services.contact_log import contact_attempt_record
from outreach.services.tasks import FollowUp
from registry.models import Enterprise, Liaison

PHOTO_FIELD = "photo"
LOCATION_FIELD = "share_location"
# A phone's fix is good to a few metres; a reading worse than this says nothing of the door.
ACCURACY_MAX_M = 100_000


@dataclass(frozen=True)
class Location:
    """Where the worker's phone was (WGS 84, as the browser's geolocation gives it)."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None = None


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    kind: FileKind
    content: bytes


def visit_photo_check(upload: UploadedFile) -> CheckedPhoto:
    """The photo read and checked; ServiceError naming ``photo`` when refused."""
    max_mb = settings.VISIT_PHOTO_MAX_MB
    if upload.size > max_mb * 1024 * 1024:
        raise ServiceError(
            _("The photo is larger than %(mb)d MB.") % {"mb": max_mb},
            field=PHOTO_FIELD,
            code="too_large",
        )
    content = upload.read()
    kind = document_kind(content) if content else None
    if kind not in (JPEG, PNG):
        raise ServiceError(
            _("The photo must be a JPEG or PNG picture (or it is damaged)."),
            field=PHOTO_FIELD,
            code="type",
        )
    return CheckedPhoto(display_name(upload.name, kind), kind, _without_metadata(content, kind))


def _without_metadata(content: bytes, kind: FileKind) -> bytes:
    """The picture without its metadata: a phone writes where it was (EXIF GPS) into every
    photo, and the place is kept only with the worker's consent, as its own field. Turned
    upright first (the EXIF orientation goes with the rest)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(content)) as image:
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if kind == JPEG:
            upright.convert("RGB").save(out, "JPEG", quality=90)
        else:
            upright.save(out, "PNG")
    return out.getvalue()


def visit_location_parse(latitude, longitude, accuracy=None) -> Location | None:
    """A location from the form's or the API's values; None when none was given (the
    browser was refused or found nothing). ServiceError for values that are no place."""
    if latitude in (None, "") and longitude in (None, ""):
        return None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
        acc = None if accuracy in (None, "") else round(float(accuracy))
    except (InvalidOperation, ValueError, TypeError):
        lat = lon = None
        acc = None
    if (
        lat is None
        or lon is None
        or not (-90 <= lat <= 90 and -180 <= lon <= 180)
        or (acc is not None and not 0 <= acc <= ACCURACY_MAX_M)
    ):
        raise ServiceError(
            _("The location sent by the phone is not a place."),
            field=LOCATION_FIELD,
            code="invalid",
        )
    return Location(latitude=lat, longitude=lon, accuracy_m=acc)


def visit_record(
    *,
    enterprise: Enterprise,
    outcome: str,
    by,
    liaison: Liaison | None = None,
    note: str = "",
    occurred_at: datetime.datetime | None = None,
    verified: bool = False,
    follow_up: FollowUp | None = None,
    photo: UploadedFile | None = None,
    location: Location | None = None,
) -> ContactAttempt:
    """Log an on-site visit with its evidence (either, both or none), in one transaction."""
    checked = visit_photo_check(photo) if photo is not None else None
    evidence = None
    try:
        with transaction.atomic():
            attempt = contact_attempt_record(
                enterprise=enterprise,
                channel=ContactAttempt.Channel.VISIT,
                outcome=outcome,
                by=by,
                liaison=liaison,
                note=note,
                occurred_at=occurred_at,
                verified=verified,
                follow_up=follow_up,
            )
            if checked is None and location is None:
                return attempt
            evidence = VisitEvidence(
                attempt=attempt,
                latitude=location.latitude if location else None,
                longitude=location.longitude if location else None,
                accuracy_m=location.accuracy_m if location else None,
            )
            if checked is not None:
                evidence.photo_name = checked.name
                evidence.photo_type = checked.kind.content_type
                # Stored by a name of our own: the phone's name is only shown.
                evidence.photo.save(
                    f"visit-{attempt.pk}.{checked.kind.extension}",
                    ContentFile(checked.content),
                    save=False,
                )
            evidence.save()
    except BaseException:
        if evidence is not None and evidence.photo:
            evidence.photo.delete(save=False)
        raise
    return attempt
