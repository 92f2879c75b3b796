"""回访 and closing: the requester rates the answer through a single-purpose link (満意 /
基本满意 / 不满意; only the token's SHA-256 is stored, as for the personal link); 不满意
reopens the matter to the owner's lead. Staff close a matter once it is answered."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import ServiceError
from outreach.matters.models import Department, Matter
from outreach.matters.services.common import Action, State, step, text, transition
from outreach.selfservice.tokens import token_hash
from registry import clock

RATEABLE = (State.ANSWERED, State.CLOSED)


class FeedbackLinkInvalid(ServiceError):
    """Unknown, used or expired: the page says which, never which matter. ``reason`` (also
    the error's ``code``): "unknown", "used", "expired"."""

    TEXTS = {
        "unknown": _lazy(
            "We could not find this link. Please check that it was copied completely."
        ),
        "used": _lazy("Your rating has already been recorded. Thank you!"),
        "expired": _lazy("The link has expired."),
    }

    def __init__(self, reason: str):
        super().__init__(self.TEXTS.get(reason, self.TEXTS["unknown"]), code=reason)
        self.reason = reason


def matter_feedback_resolve(token: str, *, now: datetime.datetime | None = None) -> Matter:
    if not token or len(token) > 100:
        raise FeedbackLinkInvalid("unknown")
    return matter_feedback_resolve_hash(token_hash(token), now=now)


def matter_feedback_resolve_hash(hashed: str, *, now: datetime.datetime | None = None) -> Matter:
    """The matter whose open 回访 link has this hash (the session keeps the hash only)."""
    now = now or clock.now()
    matter = (
        Matter.objects.select_related("enterprise", "category", "department", "owner")
        .filter(feedback_token_hash=hashed)
        .first()
        if hashed
        else None
    )
    if matter is None:
        raise FeedbackLinkInvalid("unknown")
    # A rated matter keeps its link's hash (a new answer replaces it), so a spent link opened
    # again — in another browser, days later — is told it was used, not that it is unknown.
    if matter.rated_at is not None:
        raise FeedbackLinkInvalid("used")
    if matter.feedback_expires_at is None or matter.feedback_expires_at <= now:
        raise FeedbackLinkInvalid("expired")
    return matter


def lead_of(matter: Matter):
    """The owner's lead: the lead of the matter's department, else of a department the owner
    belongs to; None when nobody leads them (the matter goes back to the desk)."""
    if matter.department_id is not None and matter.department.lead_id is not None:
        return matter.department.lead
    if matter.owner_id is not None:
        department = (
            Department.objects.filter(members=matter.owner_id, lead__isnull=False)
            .select_related("lead")
            .order_by("pk")
            .first()
        )
        if department is not None:
            return department.lead
    return None


def matter_rate(
    *, matter: Matter, satisfaction: str, comment: str = "", now: datetime.datetime | None = None
) -> Matter:
    """The requester's rating; the link is spent (``rated_at``). 不满意 reopens the matter
    to the lead."""
    now = now or clock.now()
    if satisfaction not in Matter.Satisfaction.values:
        raise ServiceError(_("Choose one of the answers."), field="satisfaction")
    comment = text(comment, field="comment")[:500]
    dissatisfied = satisfaction == Matter.Satisfaction.DISSATISFIED
    changes = {"satisfaction": satisfaction, "rated_at": now}
    with transaction.atomic():
        before = matter.state
        if dissatisfied:
            lead = lead_of(matter)
            changes.update(
                state=State.ROUTED if lead is not None else State.RETURNED,
                owner=lead,
                escalated=True,
                closed_at=None,
            )
        elif matter.state == State.ANSWERED:
            changes["state"] = State.RATED
        matter = transition(matter, version=None, from_states=RATEABLE, **changes)
        step(
            matter,
            action=Action.RATE,
            at=now,
            from_state=before,
            note=" ".join(filter(None, [matter.get_satisfaction_display(), comment])),
        )
        if dissatisfied:
            step(
                matter,
                action=Action.REOPEN,
                at=now,
                from_state=before,
                to_user=matter.owner,
                to_department=matter.department,
                note=_("The requester was not satisfied."),
            )
    return matter


def matter_close(
    *,
    matter: Matter,
    by,
    note: str = "",
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Matter:
    """办结: once answered (the rating may come later, or never)."""
    now = now or clock.now()
    note = text(note, field="note")
    with transaction.atomic():
        before = matter.state
        matter = transition(
            matter,
            version=version,
            from_states=(State.ANSWERED, State.RATED),
            state=State.CLOSED,
            closed_at=now,
        )
        step(matter, action=Action.CLOSE, at=now, by=by, from_state=before, note=note)
    return matter
