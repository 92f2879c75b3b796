"""Taking a matter in, from every door (the desk's form, the enterprise page, a grid worker's
phone, the liaison's personal link, the API): one function, so the rules hold everywhere.

On intake a matter is answered at once (closed on the spot, the answer recorded and sent),
routed (to a department or a person), escalated (to a department's lead) or left received
for the desk to route.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.limits import limits_for
from outreach.matters.models import Department, Matter, MatterCategory
from outreach.matters.services.answer import answer_sms_require_approved
from outreach.matters.services.attachments import (
    attachments_check,
    attachments_discard,
    attachments_store,
)
from outreach.matters.services.common import Action, State, step, text
from outreach.matters.services.numbering import matter_number_next
from registry import clock
from registry.models import Enterprise, Liaison
from registry.normalize import normalize_email, normalize_phone
from registry.workdays import WorkCalendar

RECEIVED, ANSWERED, ROUTED, ESCALATED = "received", "answered", "routed", "escalated"
DISPOSITIONS = (RECEIVED, ANSWERED, ROUTED, ESCALATED)


def _requester_email(email: str) -> str:
    """The address the answer may go to (optional): normalised, or ServiceError naming it."""
    email = (email or "").strip()
    if not email:
        return ""
    try:
        return normalize_email(email)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="requester_email") from error


def _requester(
    enterprise: Enterprise | None, liaison: Liaison | None, name: str, phone: str
) -> tuple[str, str]:
    if liaison is not None:
        if enterprise is None or liaison.enterprise_id != enterprise.pk:
            raise ServiceError(_("This liaison is not one of this enterprise's."), field="liaison")
        return liaison.name, liaison.mobile
    name = text(name, field="requester_name")[:50]
    phone = (phone or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            raise ServiceError(error.messages[0], field="requester_phone") from error
    return name, phone


def matter_intake(
    *,
    channel: str,
    category: MatterCategory,
    description: str,
    by=None,
    enterprise: Enterprise | None = None,
    liaison: Liaison | None = None,
    requester_name: str = "",
    requester_phone: str = "",
    requester_email: str = "",
    urgency: str = Matter.Urgency.NORMAL,
    disposition: str = RECEIVED,
    answer: str = "",
    department: Department | None = None,
    owner=None,
    attachments: Sequence[UploadedFile] = (),
    intake_key: str = "",
    now: datetime.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> Matter:
    """A new matter, numbered, with its time limits, its first step and its ``attachments``
    (outreach.matters.services.attachments); then answered, routed or escalated at once as
    ``disposition`` says. ServiceError on bad input (a file refused, an answer that could not
    be sent), and then nothing is written.

    ``intake_key`` (at most ``INTAKE_KEY_MAX`` characters; used only with ``by``): the one-use
    key of the desk's form or of an API call's ``Idempotency-Key``. The same key from the same
    person again — a double submit, a client's retry, two arriving together — returns the
    matter the first one took in and writes nothing."""
    if len(intake_key) > INTAKE_KEY_MAX:
        raise ServiceError(_("The idempotency key is too long."), field="intake_key")
    intake_key = intake_key if by is not None else ""
    if intake_key and (taken := _taken_in(by, intake_key)) is not None:
        return taken
    now = now or clock.now()
    fields = _checked(
        channel=channel,
        category=category,
        description=description,
        enterprise=enterprise,
        liaison=liaison,
        requester_name=requester_name,
        requester_phone=requester_phone,
        requester_email=requester_email,
        urgency=urgency,
        disposition=disposition,
        answer=answer,
    ) | {"intake_key": intake_key}
    files = attachments_check(list(attachments))
    limits = limits_for(
        received_at=now,
        first_response_hours=category.first_response_hours,
        resolution_workdays=category.resolution_workdays,
        calendar=calendar or WorkCalendar.load(),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                matter = _matter_new(fields, limits, by=by, now=now)
        except IntegrityError:
            # The same key's other call committed first (the unique index made this one wait);
            # its number and row rolled back with the savepoint.
            if intake_key and (taken := _taken_in(by, intake_key)) is not None:
                return taken
            raise
        stored = attachments_store(matter=matter, files=files, by=by, now=now)
        try:
            matter = _dispose(
                matter,
                disposition,
                by=by,
                answer=answer,
                department=department,
                owner=owner,
                now=now,
            )
        except BaseException:
            # The rows roll back with the transaction; the files must go too.
            attachments_discard(stored)
            raise
    return matter


INTAKE_KEY_MAX = 64


def _taken_in(by, intake_key: str) -> Matter | None:
    return Matter.objects.filter(created_by=by, intake_key=intake_key).first()


# A double tap, a reload of the answer page or the back button sends the same question again.
REPEAT_WINDOW = datetime.timedelta(minutes=10)


def matter_from_liaison(
    *,
    enterprise: Enterprise,
    liaison: Liaison,
    category: MatterCategory,
    description: str,
    requester_email: str = "",
    attachments: Sequence[UploadedFile] = (),
    now: datetime.datetime | None = None,
) -> tuple[Matter, bool]:
    """The liaison's question through their personal link: ``(matter, created)``. The same
    question from the same liaison within ``REPEAT_WINDOW`` is the matter already taken in,
    not a second one (the desk would count and answer it twice). The liaison's row is locked
    first, so two taps arriving together are decided one after the other."""
    now = now or clock.now()
    with transaction.atomic():
        Liaison.objects.select_for_update().filter(pk=liaison.pk).first()
        repeat = (
            Matter.objects.filter(
                channel=Matter.Channel.SELF_SERVICE,
                enterprise=enterprise,
                liaison=liaison,
                description=text(description, field="description"),
                received_at__gte=now - REPEAT_WINDOW,
            )
            .order_by("-received_at")
            .first()
        )
        if repeat is not None:
            return repeat, False
        matter = matter_intake(
            channel=Matter.Channel.SELF_SERVICE,
            category=category,
            description=description,
            enterprise=enterprise,
            liaison=liaison,
            requester_email=requester_email,
            attachments=attachments,
            now=now,
        )
    return matter, True


def _checked(
    *,
    channel: str,
    category: MatterCategory,
    description: str,
    enterprise: Enterprise | None,
    liaison: Liaison | None,
    requester_name: str,
    requester_phone: str,
    requester_email: str,
    urgency: str,
    disposition: str,
    answer: str,
) -> dict:
    """The intake's input checked, as the matter's fields (ServiceError naming the field)."""
    if channel not in Matter.Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel")
    if urgency not in Matter.Urgency.values:
        raise ServiceError(_("Unknown urgency."), field="urgency")
    if disposition not in DISPOSITIONS:
        raise ServiceError(_("Unknown disposition."), field="disposition")
    if not category.active:
        raise ServiceError(_("This category is no longer used."), field="category")
    description = text(description, field="description", required=True)
    name, phone = _requester(enterprise, liaison, requester_name, requester_phone)
    email = _requester_email(requester_email)
    if enterprise is None and not (name or phone or email):
        raise ServiceError(
            _("Name the enterprise, or at least the caller's name or phone."),
            field="enterprise",
        )
    if disposition == ANSWERED:
        text(answer, field="answer", required=True)
        # Answered on the spot means the answer is sent at once: refused now if it cannot be.
        answer_sms_require_approved(liaison=liaison, phone=phone, email=email, channel=channel)
    return {
        "channel": channel,
        "enterprise": enterprise,
        "liaison": liaison,
        "requester_name": name,
        "requester_phone": phone,
        "requester_email": email,
        "category": category,
        "urgency": urgency,
        "description": description,
    }


def _dispose(
    matter: Matter, disposition: str, *, by, answer: str, department, owner, now
) -> Matter:
    """What the person taking the matter in decided: answer it on the spot, route or escalate
    it, or leave it received for the desk."""
    from outreach.matters.services.answer import matter_answer
    from outreach.matters.services.routing import matter_route

    if disposition == ANSWERED:
        # Answered on the spot: the person who took it in owns and answers it.
        matter = matter_answer(
            matter=matter, by=by, answer=answer, resolved=True, now=now, take=True
        )
        return _close_on_the_spot(matter, by=by, now=now)
    if disposition in (ROUTED, ESCALATED):
        return matter_route(
            matter=matter,
            by=by,
            department=department,
            owner=owner,
            escalate=disposition == ESCALATED,
            now=now,
        )
    return matter


def _close_on_the_spot(matter: Matter, *, by, now) -> Matter:
    from outreach.matters.services.feedback import matter_close

    return matter_close(matter=matter, by=by, now=now, note=_("Answered on the spot."))


def _matter_new(fields: dict, limits, *, by, now: datetime.datetime) -> Matter:
    """The matter's row, numbered for the park's day, with its limits and its intake step."""
    matter = Matter.objects.create(
        number=matter_number_next(day=clock.today(now)),
        state=State.RECEIVED,
        received_at=now,
        first_response_due=limits.first_response_due,
        resolution_due=limits.resolution_due,
        first_response_remind_at=limits.first_response_remind_at,
        resolution_remind_at=limits.resolution_remind_at,
        created_by=by,
        **fields,
    )
    step(matter, action=Action.INTAKE, at=now, by=by, note=matter.get_channel_display())
    return matter
