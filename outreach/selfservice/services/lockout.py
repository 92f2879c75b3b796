"""Wrong codes: each costs a try of the code it was for, and all the link's wrong codes add
up over its lifetime; at SELF_SERVICE_WRONG_CODES_MAX the link is locked for good and staff
are told (someone may be guessing, or the liaison needs help and a new link)."""

from django.conf import settings
from django.utils.translation import gettext as _

from outreach.models import Task
from outreach.selfservice.kinds import SELF_SERVICE_LOCKED_KIND
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.refusals import CodeRefused, LinkLocked
from outreach.services import task_open
from registry import clock

# What a wrong code changes on the link, whichever code it was for (wrong_code, _lock).
WRONG_CODE_FIELDS = [
    "code_tries_left",
    "code_hash",
    "mobile_code_tries_left",
    "mobile_code_hash",
    "wrong_codes",
    "locked_at",
]


def wrong_code(link: SelfServiceLink, *, code: str, now) -> CodeRefused | LinkLocked:
    """One wrong entry of the link's ``code`` ("code": the unlock code sent to the mobile on
    file; "mobile_code": the code sent to a new mobile): a try lost, the code spent when none
    is left, and the link locked for good at SELF_SERVICE_WRONG_CODES_MAX wrong codes of
    either kind. Changes ``link`` (the caller saves WRONG_CODE_FIELDS); returns the refusal to
    raise once the change is saved."""
    tries = getattr(link, f"{code}_tries_left") - 1
    setattr(link, f"{code}_tries_left", tries)
    link.wrong_codes += 1
    if tries == 0:
        setattr(link, f"{code}_hash", "")  # spent: a new code must be sent
    if link.wrong_codes >= settings.SELF_SERVICE_WRONG_CODES_MAX:
        _lock(link, now=now)
        return LinkLocked()
    return CodeRefused(_("That code is not right."), tries_left=tries)


def _lock(link: SelfServiceLink, *, now) -> None:
    """Too many wrong codes: the link is dead, and staff are told (a task for the enterprise's
    grid worker, and the link's state on the enterprise page)."""
    link.locked_at = now
    link.code_hash = ""
    link.code_tries_left = 0
    task_open(
        enterprise=link.enterprise,
        kind=SELF_SERVICE_LOCKED_KIND,
        source=Task.Source.SELF_SERVICE,
        note=_(
            "The personal link sent on %(sent)s was locked after %(count)d wrong codes. "
            "Call the liaison: if they asked for it, send a new link; if not, someone else "
            "may be trying their link."
        )
        % {
            "sent": clock.local(link.created_at).strftime("%Y-%m-%d"),
            "count": link.wrong_codes,
        },
        now=now,
    )
