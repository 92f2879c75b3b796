"""The answer: recorded on the matter and sent to the requester through the outbox, in the
same transaction: by SMS (template ``matter-answer-sms``: the number, the outcome and the 回访
link, whose page shows the answer in full and asks for a rating) or by e-mail (template
``matter-answer-email``, the answer's text too) to the address the requester gave, or the
liaison's on file when the matter came by e-mail (or they have no mobile).

To the liaison when they asked; to anyone else (and to a requester whose enterprise is not
identified yet) at their own address, on a message tied to no liaison.

Unresolved, the answer says why, what happens next and by when.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.models import Matter
from outreach.matters.services.common import Action, State, step, text, transition
from outreach.selfservice.tokens import token_hash, token_new
from registry import clock

ANSWER_TEMPLATE = "matter-answer-sms"
ANSWER_EMAIL_TEMPLATE = "matter-answer-email"
FEEDBACK_DAYS_DEFAULT = 14
OUTCOME_RESOLVED = "已办结"
OUTCOME_PENDING = "正在处理中"


def feedback_url(token: str) -> str:
    from django.urls import reverse

    return settings.SELF_SERVICE_BASE_URL.rstrip("/") + reverse(
        "matter_feedback:landing", args=[token]
    )


def answer_email_address(*, channel: str, liaison, phone: str, email: str) -> str:
    """The address the answer is e-mailed to, or "" when it goes by SMS: the address the
    requester gave for this matter; else the liaison's on file when the matter came by
    e-mail or there is no mobile to text."""
    if email:
        return email
    if liaison is None or not liaison.email:
        return ""
    if channel == Matter.Channel.EMAIL or not liaison.mobile.startswith("1"):
        return liaison.email
    return ""


def _will_send_sms(*, channel: str, liaison, phone: str, email: str) -> bool:
    """The same conditions as ``_send``: no e-mail route and a mobile to send to."""
    if answer_email_address(channel=channel, liaison=liaison, phone=phone, email=email):
        return False
    return (liaison.mobile if liaison is not None else phone).startswith("1")


def answer_sms_require_approved(*, liaison, phone: str, email: str = "", channel: str = "") -> None:
    """With a real SMS provider, an answer that would go by SMS needs the template's approved
    code: refused before anything is written (ServiceError, code ``sms_unapproved``) rather
    than queued to fail. ``phone``, ``email``: a requester's own when they are not the
    liaison (``email`` may be the liaison's chosen address)."""
    from outreach.messaging.models import MessageTemplate
    from outreach.messaging.refusals import template_lacks_code

    if not _will_send_sms(channel=channel, liaison=liaison, phone=phone, email=email):
        return
    template = MessageTemplate.objects.filter(key=ANSWER_TEMPLATE).first()
    if template_lacks_code(template):
        raise ServiceError(
            _(
                "The answer was not saved: it goes to the requester by SMS, and the SMS "
                "template “%(template)s” has no approved template code yet (the SMS provider "
                "sends only approved templates). An admin must enter its code under Message "
                "templates first."
            )
            % {"template": template.name},
            code="sms_unapproved",
        )


def _answer_text(matter: Matter) -> str:
    """The answer as the e-mail quotes it: unresolved, with the next step and its date."""
    if matter.resolved or not matter.next_step:
        return matter.answer
    when = matter.next_step_on.isoformat() if matter.next_step_on else ""
    return f"{matter.answer}\n\n下一步：{matter.next_step}（{when}前）"


def _send(matter: Matter, *, token: str, by) -> str:
    """Queue the answer to the requester; returns why it was not sent ("" when queued)."""
    from outreach.messaging.services import Recipient, message_enqueue

    email = answer_email_address(
        channel=matter.channel,
        liaison=matter.liaison,
        phone=matter.requester_phone,
        email=matter.requester_email,
    )
    if not email and not _will_send_sms(
        channel=matter.channel, liaison=matter.liaison, phone=matter.requester_phone, email=""
    ):
        return _("No message: the requester left no mobile number or e-mail address.")
    if matter.liaison_id is not None:
        # The liaison's own message (its failure is a failed contact); to the address they
        # gave for this matter, else the one on file.
        whom = {"liaison": matter.liaison, "to": matter.requester_email if email else ""}
    else:
        address = email or matter.requester_phone
        whom = {"recipient": Recipient(name=matter.requester_name, address=address)}
    # The messages to enterprises are Chinese, whatever the staff member's page language.
    outcome = OUTCOME_RESOLVED if matter.resolved else OUTCOME_PENDING
    message = message_enqueue(
        enterprise=matter.enterprise,
        template=ANSWER_EMAIL_TEMPLATE if email else ANSWER_TEMPLATE,
        context={
            "liaison": matter.requester_name,
            "matter_number": matter.number,
            "matter_outcome": outcome,
            "matter_link": feedback_url(token),
            "matter_answer": _answer_text(matter) if email else "",
        },
        purpose="matter_answer",
        by=by,
        **whom,
    )
    return "" if message.status == message.Status.QUEUED else message.get_problem_display()


def _next_step(
    resolved: bool, next_step: str, next_step_on: datetime.date | None, *, now
) -> tuple[str, datetime.date | None]:
    """Unresolved, the answer says what happens next and by when (not a past day); resolved,
    there is no next step."""
    if resolved:
        return "", None
    next_step = text(next_step, field="next_step", required=True)
    if next_step_on is None:
        raise ServiceError(_("Say by when the next step is due."), field="next_step_on")
    if next_step_on < clock.today(now):
        raise ServiceError(_("This date has passed."), field="next_step_on")
    return next_step, next_step_on


def matter_answer(
    *,
    matter: Matter,
    by,
    answer: str,
    resolved: bool,
    next_step: str = "",
    next_step_on: datetime.date | None = None,
    version: int | None = None,
    now: datetime.datetime | None = None,
    take: bool = False,
) -> Matter:
    """Record the answer, send it, and open the 回访 link (single-purpose, hash stored only).

    ``take``: answered on the spot by whoever took it in (from 受理, no routing).
    """
    now = now or clock.now()
    answer = text(answer, field="answer", required=True)
    next_step, next_step_on = _next_step(resolved, next_step, next_step_on, now=now)
    answer_sms_require_approved(
        liaison=matter.liaison,
        phone=matter.requester_phone,
        email=matter.requester_email,
        channel=matter.channel,
    )
    token = token_new()
    days = int(getattr(settings, "MATTER_FEEDBACK_DAYS", FEEDBACK_DAYS_DEFAULT))
    changes = {
        "state": State.ANSWERED,
        "answer": answer,
        "resolved": resolved,
        "next_step": next_step,
        "next_step_on": next_step_on,
        "answered_at": now,
        "first_response_at": matter.first_response_at or now,
        "feedback_token_hash": token_hash(token),
        "feedback_expires_at": now + datetime.timedelta(days=days),
        "satisfaction": "",
        "rated_at": None,
    }
    if take:
        changes["owner"] = by
    with transaction.atomic():
        before = matter.state
        matter = transition(
            matter,
            version=version,
            from_states=(State.RECEIVED,) if take else (State.IN_PROGRESS,),
            **changes,
        )
        problem = _send(matter, token=token, by=by)
        step(
            matter,
            action=Action.ANSWER,
            at=now,
            by=by,
            from_state=before,
            note=answer if not problem else f"{answer}\n{problem}",
        )
    matter.feedback_token = token  # for the caller (tests, the page's notice); never stored
    return matter
