"""The reminders reach the people they name (issue 18): what the beat's claim returns
(services.reminders) is also sent, not only shown in the portal.

- at 80 % of a limit: the owner;
- past a limit: the owner and their lead (the lead the OVERDUE step names).

Each person gets an e-mail when their account has an address, and an SMS (template
``matter-reminder-sms``) when it has a mobile (accounts.AccountProfile), both through the
outbox: a mail server that is down or refuses for a while is retried like any message.
Both say the matter's number, its category, which limit and when it is due, and link to the
matter's page; never the requester (no name, no number, no description): those stay behind
the portal's login and masking.

Once per matter and threshold: the notices are made from the rows the beat's conditional
UPDATE claimed and written to the outbox in its transaction, so a rolled-back run sends
nothing and a second run has nothing left to send. Set-based: a fixed number of queries
whatever the number of matters. A matter whose enterprise is not identified yet is told
about all the same (its messages are filed under no enterprise).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.matters.models import Matter
from outreach.sql import matters as sql
from registry import clock

REMINDER_PURPOSE = "matter-reminder"
# Which limit: the overdue claim says which one has passed (outreach.sql.matters).
RESPONSE, RESOLUTION = sql.RESPONSE, sql.RESOLUTION

# What the notice says happened, in the park's language (settings.LANGUAGE_CODE).
_WHAT = {
    (RESPONSE, False): gettext_lazy("first response due soon"),
    (RESOLUTION, False): gettext_lazy("resolution due soon"),
    (RESPONSE, True): gettext_lazy("first-response time limit passed"),
    (RESOLUTION, True): gettext_lazy("resolution time limit passed"),
}


@dataclass(frozen=True)
class Notice:
    """One person told about one matter: which limit, whether it has passed, and why they
    are told (``as_lead``: past the limit, as the owner's lead)."""

    matter_id: int
    user_id: int
    limit: str  # RESPONSE or RESOLUTION
    overdue: bool
    as_lead: bool = False


def notices_for(
    *,
    response: list[tuple],
    resolution: list[tuple],
    overdue: list[tuple],
    leads: dict[int, int | None],
) -> list[Notice]:
    """Who is told what, from the rows the beat claimed (``(id, owner_id, department_id,
    state)`` each; the overdue ones also say which limit passed, as the claim decided) and
    the overdue matters' leads."""
    notices = [
        Notice(matter_id=pk, user_id=owner, limit=limit, overdue=False)
        for rows, limit in ((response, RESPONSE), (resolution, RESOLUTION))
        for pk, owner, _department, _state in rows
        if owner
    ]
    for pk, owner, _department, _state, limit in overdue:
        if owner:
            notices.append(Notice(matter_id=pk, user_id=owner, limit=limit, overdue=True))
        lead = leads.get(pk)
        if lead and lead != owner:
            notices.append(
                Notice(matter_id=pk, user_id=lead, limit=limit, overdue=True, as_lead=True)
            )
    return notices


def deadline_text(matter: Matter, limit: str) -> str:
    """The limit as the matter's page shows it (park time, ``2026-12-08 00:00``)."""
    due = matter.first_response_due if limit == RESPONSE else matter.resolution_due
    return clock.local(due).strftime("%Y-%m-%d %H:%M")


def matter_url(matter: Matter) -> str:
    """The matter's page at the portal's public address (behind the login)."""
    base = settings.SELF_SERVICE_BASE_URL.rstrip("/")
    return base + reverse("outreach:matters:detail", args=[matter.pk])


def reminder_notices_send(*, notices: list[Notice], now: datetime.datetime) -> int:
    """Queue the SMS and e-mails of ``notices`` in the caller's transaction (the outbox
    delivers them after it commits); returns how many messages were written."""
    from accounts.models import AccountProfile
    from outreach.messaging.defaults import MATTER_REMINDER_TEMPLATE
    from outreach.messaging.services import (
        StaffNotice,
        staff_emails_enqueue,
        staff_notices_enqueue,
    )

    if not notices:
        return 0
    matters = Matter.objects.select_related("category", "category__parent", "enterprise").in_bulk(
        {n.matter_id for n in notices}
    )
    user_ids = {n.user_id for n in notices}
    people = get_user_model().objects.filter(pk__in=user_ids, is_active=True).in_bulk()
    mobiles = dict(
        AccountProfile.objects.filter(user_id__in=people)
        .exclude(mobile="")
        .values_list("user_id", "mobile")
    )
    sms, mails = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            person, matter = people.get(notice.user_id), matters.get(notice.matter_id)
            if person is None or matter is None:
                continue
            values = {
                "matter_number": matter.number,
                "matter_category": str(matter.category),
                "matter_reminder": str(_WHAT[notice.limit, notice.overdue]),
                "matter_deadline": deadline_text(matter, notice.limit),
            }
            if notice.user_id in mobiles:
                sms.append(
                    StaffNotice(
                        enterprise_id=matter.enterprise_id,
                        to=mobiles[notice.user_id],
                        values=values,
                    )
                )
            if person.email:
                mails.append(_mail(notice, matter, values, to=person.email))
    staff_notices_enqueue(
        template=MATTER_REMINDER_TEMPLATE, notices=sms, purpose=REMINDER_PURPOSE, now=now
    )
    staff_emails_enqueue(emails=mails, purpose=REMINDER_PURPOSE, now=now)
    return len(sms) + len(mails)


def _mail(notice: Notice, matter: Matter, values: dict[str, str], *, to: str):
    from outreach.messaging.services import StaffEmail

    why = _("You lead the department of its owner.") if notice.as_lead else _("You are its owner.")
    lines = [
        _("Matter %(number)s (%(category)s): %(what)s, time limit %(deadline)s.")
        % {
            "number": values["matter_number"],
            "category": values["matter_category"],
            "what": values["matter_reminder"],
            "deadline": values["matter_deadline"],
        },
        why,
    ]
    if matter.enterprise is not None:
        lines.append(_("Enterprise: %(name)s") % {"name": matter.enterprise.name})
    lines.append(_("Open the matter: %(url)s") % {"url": matter_url(matter)})
    return StaffEmail(
        enterprise_id=matter.enterprise_id,
        to=to,
        subject=_("Matter %(number)s: %(what)s")
        % {"number": values["matter_number"], "what": values["matter_reminder"]},
        body="\n".join(lines),
    )
