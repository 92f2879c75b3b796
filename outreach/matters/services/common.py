"""What every matter service shares: the conditional UPDATE that makes two people acting on
the same matter at once end with one winner, and the step row each change writes."""

import datetime

from django.db.models import F
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.models import Matter, MatterStep

TEXT_MAX = 4000

State = Matter.State
Action = MatterStep.Action


class MatterConflict(ServiceError):
    """Someone else changed the matter first (took it, answered it, routed it)."""

    def __init__(self, matter_number: str):
        super().__init__(
            _(
                "Someone else acted on matter %(number)s a moment ago (it was taken, routed or "
                "answered). Reload the page to see its state."
            )
            % {"number": matter_number},
            code="conflict",
        )


def text(value: str, *, field: str, required: bool = False) -> str:
    # PostgreSQL text cannot hold NUL (a 500 otherwise, on the public 回访 page too).
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), field=field, code="required")
    if len(value) > TEXT_MAX:
        raise ServiceError(
            _("At most %(max)d characters.") % {"max": TEXT_MAX}, field=field, code="too_long"
        )
    return value


def transition(
    matter: Matter,
    *,
    version: int | None,
    from_states: tuple[str, ...],
    **changes,
) -> Matter:
    """``UPDATE matter SET … , version = version + 1 WHERE id = … AND version = <seen> AND
    state IN (…)``: only one of two concurrent writers matches; the other is told.

    ``version`` is what the user saw (the page's hidden field); None takes the row as it is
    now (the system's own writes, which check the state only).
    """
    if matter.state not in from_states:
        raise ServiceError(
            _("Matter %(number)s is %(state)s: this step does not apply.")
            % {"number": matter.number, "state": matter.get_state_display()},
            code="wrong_state",
        )
    seen = matter.version if version is None else version
    updated = Matter.objects.filter(pk=matter.pk, version=seen, state__in=from_states).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise MatterConflict(matter.number)
    matter.refresh_from_db()
    return matter


def step(
    matter: Matter,
    *,
    action: str,
    at: datetime.datetime,
    by=None,
    from_state: str = "",
    note: str = "",
    to_user=None,
    to_department=None,
) -> MatterStep:
    return MatterStep.objects.create(
        matter=matter,
        action=action,
        from_state=from_state,
        to_state=matter.state,
        by=by,
        at=at,
        note=note,
        to_user=to_user,
        to_department=to_department,
    )
