"""Handing a matter on: route (to a department or a person), escalate (to a lead), take (the
owner starts work: the first response), re-route (转派) and return (退回) with a reason, chase
(催办), and link the enterprise of a caller identified later.

The hand-ons are data (MOVES: from which states, to which state, who may); each use case
checks its own input and makes its move through ``_move``.

Two people acting at once: each write is a conditional UPDATE on the version the user saw
(common.transition); one wins, the other gets MatterConflict.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.models import Department, Matter
from outreach.matters.services.common import Action, State, step, text, transition
from registry import clock
from registry.models import Enterprise
from registry.roles import Role, user_role

ROUTABLE = (State.RECEIVED, State.RETURNED)
HANDED_ON = (State.ROUTED, State.IN_PROGRESS)


def eligible_owners() -> QuerySet:
    """Who may own a matter: anyone working the portal (admins, staff, grid workers)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True) | Q(groups__name__in=[Role.ADMIN, Role.STAFF, Role.GRID_WORKER])
        )
        .distinct()
        .order_by("username")
    )


def _belongs(user, department: Department) -> bool:
    return department.lead_id == user.pk or department.members.filter(pk=user.pk).exists()


def may_take(user, matter: Matter) -> bool:
    """The person it was routed to, a member or the lead of its department, or the office
    (admins and staff, who run the desk)."""
    if user_role(user) in (Role.ADMIN, Role.STAFF):
        return True
    if matter.owner_id is not None:
        return matter.owner_id == user.pk
    return matter.department is not None and _belongs(user, matter.department)


@dataclass(frozen=True)
class Move:
    """One way of handing a matter on."""

    from_states: tuple[str, ...]
    to_state: str
    # Who may make it, beyond working the desk's matters (which the pages check at the
    # door: selectors.can_work_matters); None: anyone who gets this far.
    may: Callable[..., bool] | None = None


# The hand-ons, by the step each writes.
MOVES: dict[str, Move] = {
    Action.ROUTE: Move(ROUTABLE, State.ROUTED),
    Action.ESCALATE: Move(ROUTABLE, State.ROUTED),
    Action.TAKE: Move((State.ROUTED,), State.IN_PROGRESS, may=may_take),
    Action.REROUTE: Move(HANDED_ON, State.ROUTED),
    Action.RETURN: Move(HANDED_ON, State.RETURNED),
}


def _move(
    matter: Matter,
    action: str,
    *,
    by,
    version: int | None,
    now: datetime.datetime,
    note: str = "",
    **changes,
) -> Matter:
    """Make the move ``MOVES[action]`` with ``changes``: refused (``not_yours``) unless ``by``
    may; then one conditional UPDATE and its step, which names whom the matter went to (the
    ``owner`` and ``department`` of the changes)."""
    move = MOVES[action]
    if move.may is not None and not move.may(by, matter):
        raise ServiceError(
            _("This matter was routed to someone else."), field="owner", code="not_yours"
        )
    with transaction.atomic():
        before = matter.state
        matter = transition(
            matter, version=version, from_states=move.from_states, state=move.to_state, **changes
        )
        step(
            matter,
            action=action,
            at=now,
            by=by,
            from_state=before,
            note=note,
            to_user=changes.get("owner"),
            to_department=changes.get("department"),
        )
    return matter


def _target(*, department: Department | None, owner, escalate: bool):
    """(department, owner) a routing hands the matter to."""
    if department is not None and not department.active:
        raise ServiceError(_("This department is no longer active."), field="department")
    if escalate:
        if owner is None:
            if department is None or department.lead_id is None:
                raise ServiceError(
                    _("Choose a department with a lead, or the lead, to escalate to."),
                    field="department",
                )
            owner = department.lead
    elif department is None and owner is None:
        raise ServiceError(_("Choose a department or a person."), field="department")
    if owner is not None:
        if not eligible_owners().filter(pk=owner.pk).exists():
            raise ServiceError(_("This person cannot hold matters."), field="owner")
        if department is not None and not _belongs(owner, department):
            raise ServiceError(_("This person is not a member of that department."), field="owner")
    return department, owner


def matter_route(
    *,
    matter: Matter,
    by,
    department: Department | None = None,
    owner=None,
    escalate: bool = False,
    note: str = "",
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Matter:
    note = text(note, field="note")
    department, owner = _target(department=department, owner=owner, escalate=escalate)
    return _move(
        matter,
        Action.ESCALATE if escalate else Action.ROUTE,
        by=by,
        version=version,
        now=now or clock.now(),
        note=note,
        department=department,
        owner=owner,
        escalated=escalate or matter.escalated,
    )


def matter_take(
    *, matter: Matter, by, version: int | None = None, now: datetime.datetime | None = None
) -> Matter:
    """The owner starts work: 办理中. The first person to take it wins; the first response
    is recorded the first time a matter is taken."""
    now = now or clock.now()
    return _move(
        matter,
        Action.TAKE,
        by=by,
        version=version,
        now=now,
        owner=by,
        first_response_at=matter.first_response_at or now,
    )


def matter_reroute(
    *,
    matter: Matter,
    by,
    reason: str,
    department: Department | None = None,
    owner=None,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Matter:
    """转派: to another department or person, with a reason."""
    reason = text(reason, field="reason", required=True)
    department, owner = _target(department=department, owner=owner, escalate=False)
    return _move(
        matter,
        Action.REROUTE,
        by=by,
        version=version,
        now=now or clock.now(),
        note=reason,
        department=department,
        owner=owner,
    )


def matter_return(
    *,
    matter: Matter,
    by,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Matter:
    """退回: not ours (wrong department, wrong category); back to the desk with a reason."""
    reason = text(reason, field="reason", required=True)
    return _move(
        matter,
        Action.RETURN,
        by=by,
        version=version,
        now=now or clock.now(),
        note=reason,
        owner=None,
    )


def matter_chase(
    *, matter: Matter, by, note: str = "", now: datetime.datetime | None = None
) -> Matter:
    """催办: one click, recorded; the owner sees it on the matter and in 我的待办."""
    now = now or clock.now()
    note = text(note, field="note")
    if not matter.is_open:
        raise ServiceError(_("Only an open matter can be chased."), code="wrong_state")
    step(
        matter,
        action=Action.CHASE,
        at=now,
        by=by,
        from_state=matter.state,
        note=note,
        to_user=matter.owner,
        to_department=matter.department,
    )
    return matter


def matter_link_enterprise(
    *,
    matter: Matter,
    by,
    enterprise: Enterprise,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Matter:
    """A caller identified later: the matter joins the enterprise's timeline."""
    now = now or clock.now()
    if matter.enterprise_id is not None:
        raise ServiceError(_("This matter already belongs to an enterprise."), field="enterprise")
    with transaction.atomic():
        matter = transition(
            matter,
            version=version,
            from_states=tuple(Matter.State.values),
            enterprise=enterprise,
        )
        step(
            matter, action=Action.LINK, at=now, by=by, from_state=matter.state, note=enterprise.name
        )
    return matter
