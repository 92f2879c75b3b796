"""``signal_record``: every door (the page, the API, the demo) records a report from outside
here, so its rules hold whichever way it came.

What a report does is its kind's (SignalKind, admins'): logged as a failed contact through
``outreach.services.contact_attempt_record`` (so the light's one rule, occasions included,
judges it like any attempt) and/or an on-site verification task through
``outreach.services.task_open`` (one open per enterprise and kind). The same report twice —
same enterprise, kind, moment and source — is found, not repeated: the enterprise row is
locked first (as outreach locks it for attempts), so two at once wait for each other and the
second finds the first.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.uploads import JPEG, PNG, display_name, document_kind
from monitoring.kinds import SIGNAL_VERIFICATION
from monitoring.signals.models import EnterpriseSignal, SignalKind
from outreach.models import ContactAttempt, Task
from outreach.services import contact_attempt_record, task_open
from registry import clock, normalize
from registry.models import Enterprise

TEXT_MAX = 2000
PHOTO_MAX_BYTES = 10 * 1024 * 1024
VERIFY_DUE_DAYS = 3
# How a report is logged in the contact log: on its own channel (so it answers no visit or
# call task, and reports within the occasion window are one occasion); mail that came back
# as bounced, the rest as reported unreachable.
OUTCOMES = {"mail_returned": ContactAttempt.Outcome.BOUNCED}
CHANNELS = {"page", "api", "demo"}


@dataclass(frozen=True)
class Recorded:
    signal: EnterpriseSignal
    created: bool


def _checked_phone(phone: str) -> str:
    phone = phone.strip()
    if not phone:
        return ""
    try:
        return normalize.normalize_phone(phone)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="source_phone", code="invalid") from error


def _checked_photo(photo: UploadedFile) -> tuple[str, bytes]:
    """A JPEG or PNG, told by its content (core.uploads)."""
    if photo.size > PHOTO_MAX_BYTES:
        raise ServiceError(
            _("The photo is larger than %(mb)d MB.") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)},
            field="photo",
            code="too_large",
        )
    content = photo.read()
    kind = document_kind(content)
    if kind not in (JPEG, PNG):
        raise ServiceError(_("The photo must be a JPEG or PNG image."), field="photo", code="type")
    return display_name(photo.name or "", kind), content


def _checked(kind, observed_at, source_name, source_organisation, note, now) -> None:
    if not isinstance(kind, SignalKind) or not kind.active:
        raise ServiceError(_("Choose what was seen."), field="kind", code="invalid")
    if observed_at > now + datetime.timedelta(minutes=5):
        raise ServiceError(_("The time cannot be in the future."), field="observed_at")
    if not (source_name or source_organisation):
        raise ServiceError(
            _("Say who reported it: a person or an organisation."),
            field="source_name",
            code="required",
        )
    if len(source_name) > 50:
        raise ServiceError(_("Too long."), field="source_name", code="too_long")
    if len(source_organisation) > 100:
        raise ServiceError(_("Too long."), field="source_organisation", code="too_long")
    if len(note) > TEXT_MAX:
        raise ServiceError(_("Too long."), field="note", code="too_long")


def signal_record(
    *,
    enterprise: Enterprise,
    kind: SignalKind,
    observed_at: datetime.datetime,
    by,
    source_name: str = "",
    source_organisation: str = "",
    source_phone: str = "",
    note: str = "",
    photo: UploadedFile | None = None,
    channel: str = "page",
    now: datetime.datetime | None = None,
) -> Recorded:
    """Record a report and do its kind's work once (module docstring); ServiceError naming
    the field before anything is written."""
    now = now or clock.now()
    source_name, source_organisation = source_name.strip(), source_organisation.strip()
    note = note.strip()
    _checked(kind, observed_at, source_name, source_organisation, note, now)
    source_phone = _checked_phone(source_phone)
    checked_photo = _checked_photo(photo) if photo is not None else None
    if channel not in CHANNELS:
        raise ServiceError(_("Unknown channel."), field="channel", code="invalid")
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)
        existing = EnterpriseSignal.objects.filter(
            enterprise=enterprise,
            kind=kind,
            observed_at=observed_at,
            source_name=source_name,
            source_organisation=source_organisation,
        ).first()
        if existing is not None:
            return Recorded(_completed(existing, note, checked_photo), created=False)
        signal = EnterpriseSignal(
            enterprise=enterprise,
            kind=kind,
            observed_at=observed_at,
            source_name=source_name,
            source_organisation=source_organisation,
            source_phone=source_phone,
            note=note,
            channel=channel,
            by=by,
        )
        if checked_photo is not None:
            name, content = checked_photo
            signal.photo_name = name
            signal.photo.save(name, ContentFile(content), save=False)
        if kind.counts_as_failed_contact:
            try:
                signal.attempt = contact_attempt_record(
                    enterprise=enterprise,
                    channel=ContactAttempt.Channel.REPORT,
                    outcome=OUTCOMES.get(kind.code, ContactAttempt.Outcome.REPORTED),
                    by=by,
                    occurred_at=observed_at,
                    note=_summary(signal),
                )
            except ServiceError as error:
                # The contact log's time rules speak of the report's time.
                if error.field == "occurred_at":
                    error.field = "observed_at"
                raise
        if kind.opens_verification:
            signal.task = task_open(
                enterprise=enterprise,
                kind=SIGNAL_VERIFICATION,
                source=Task.Source.RULE,
                due_on=clock.today(now) + datetime.timedelta(days=VERIFY_DUE_DAYS),
                suggested_channel=ContactAttempt.Channel.VISIT,
                note=_summary(signal),
                by=by,
                now=now,
            )
        signal.save()
    return Recorded(signal, created=True)


def _completed(
    signal: EnterpriseSignal, note: str, photo: tuple[str, bytes] | None
) -> EnterpriseSignal:
    """The same report again: nothing more is counted or opened, but what it adds is kept —
    a note the first did not have (appended), a photo where the first had none."""
    changed = []
    if note and note not in signal.note:
        signal.note = "\n".join(filter(None, [signal.note, note]))[:TEXT_MAX]
        changed.append("note")
    if photo is not None and not signal.photo:
        name, content = photo
        signal.photo_name = name
        signal.photo.save(name, ContentFile(content), save=False)
        changed += ["photo", "photo_name"]
    if changed:
        signal.save(update_fields=changed)
    return signal


def _summary(signal: EnterpriseSignal) -> str:
    """The note the contact log and the task carry: what, from whom (no phone number)."""
    source = " ".join(filter(None, [signal.source_organisation, signal.source_name]))
    text = _("Outside report: %(kind)s (%(source)s)") % {"kind": signal.kind.name, "source": source}
    return f"{text} {signal.note}".strip()[:TEXT_MAX]
