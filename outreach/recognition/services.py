"""The yearly recognition's writes: propose a year's list (the beat task or a staff
button), an admin confirms it (who and when), the confirmed liaisons thanked by SMS — once
per liaison and year, whatever is re-run."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from outreach.messaging.bulk import outbox_write_bulk
from outreach.messaging.defaults import RECOGNITION_THANKS_TEMPLATE, default_template
from outreach.messaging.models import Channel, MessageTemplate
from outreach.messaging.services import deliver_after_commit
from outreach.recognition import rules
from outreach.recognition.models import RecognitionEntry, RecognitionYear
from outreach.services import policy_for
from outreach.sql import recognition as sql
from registry import clock
from registry.models import Enterprise

PURPOSE = "recognition-thanks"

# The seam for the "attended an event" rule: outreach/events registers a function
# year -> the ids of the liaisons who attended at least one event that year.
_ATTENDANCE: list[Callable[[int], Iterable[int]]] = []


def register_attendance(source: Callable[[int], Iterable[int]]) -> None:
    if source not in _ATTENDANCE:
        _ATTENDANCE.append(source)


def unregister_attendance(source: Callable[[int], Iterable[int]]) -> None:
    if source in _ATTENDANCE:
        _ATTENDANCE.remove(source)


def attended_in(year: int) -> set[int] | None:
    """The liaisons who attended an event in ``year``; None when it is not a rule."""
    if not rules.require_event():
        return None
    return {pk for source in _ATTENDANCE for pk in source(year)}


def months_by_tier() -> dict[str, int]:
    return {tier: policy_for(tier).period_months for tier in Enterprise.Tier.values}


def last_year(today: datetime.date | None = None) -> int:
    return (today or clock.today()).year - 1


def recognition_propose(*, year: int, by=None, now: datetime.datetime | None = None):
    """(Re)compute ``year``'s proposal; refused for a year not over yet or already
    confirmed. Returns the RecognitionYear."""
    now = now or clock.now()
    if year >= clock.today(now).year:
        raise ValidationError(_("The year %(year)s is not over yet.") % {"year": year})
    with transaction.atomic():
        round_, _created = RecognitionYear.objects.select_for_update().get_or_create(
            year=year, defaults={"proposed_at": now, "proposed_by": by}
        )
        if round_.is_confirmed:
            raise ValidationError(_("The list of %(year)s is already confirmed.") % {"year": year})
        with connection.cursor() as cursor:
            rows = sql.proposal(
                cursor, year=year, months_by_tier=months_by_tier(), attended=attended_in(year)
            )
        round_.entries.all().delete()
        RecognitionEntry.objects.bulk_create(
            RecognitionEntry(round=round_, liaison_id=liaison, enterprise_id=ent, reasons=reasons)
            for liaison, ent, reasons in rows
        )
        round_.proposed_at, round_.proposed_by = now, by
        round_.save(update_fields=["proposed_at", "proposed_by"])
    return round_


def recognition_confirm(
    *, year: int, liaison_ids: Iterable[int], by, now: datetime.datetime | None = None
) -> int:
    """An admin confirms ``year``'s list: of the proposed liaisons, those in
    ``liaison_ids`` (the admin may leave some out). Records who and when, and thanks each
    confirmed liaison once. Returns how many were thanked now."""
    now = now or clock.now()
    chosen = set(liaison_ids)
    with transaction.atomic():
        round_ = RecognitionYear.objects.select_for_update().filter(year=year).first()
        if round_ is None:
            raise ValidationError(_("There is no proposal for %(year)s.") % {"year": year})
        if round_.is_confirmed:
            raise ValidationError(_("The list of %(year)s is already confirmed.") % {"year": year})
        proposed = round_.entries.filter(reasons=[])
        unknown = chosen - set(proposed.values_list("liaison_id", flat=True))
        if unknown:
            raise ValidationError(_("Only proposed liaisons can be confirmed."))
        proposed.filter(liaison_id__in=chosen).update(confirmed=True)
        round_.confirmed_at, round_.confirmed_by = now, by
        round_.save(update_fields=["confirmed_at", "confirmed_by"])
        return recognition_thank(round_=round_, by=by, now=now)


def recognition_thank(*, round_: RecognitionYear, by=None, now: datetime.datetime) -> int:
    """The thank-you SMS to each confirmed liaison of the year not thanked yet who is still
    their enterprise's current liaison (the outbox writes to the current one). The claim
    (thanked_at set where NULL) makes it once: a re-run thanks nobody twice."""
    template = MessageTemplate.objects.filter(key=RECOGNITION_THANKS_TEMPLATE).first()
    body = (
        template.body
        if template is not None
        else default_template(RECOGNITION_THANKS_TEMPLATE)["body"]
    )
    with transaction.atomic():
        claimed = list(
            RecognitionEntry.objects.select_for_update()
            .filter(round=round_, confirmed=True, thanked_at__isnull=True)
            .filter(liaison__ended_on__isnull=True)
            .order_by("pk")
            .values_list("pk", "enterprise_id")
        )
        if not claimed:
            return 0
        RecognitionEntry.objects.filter(pk__in=[pk for pk, _e in claimed]).update(thanked_at=now)
        outbox_write_bulk(
            enterprises=("SELECT unnest(%s::bigint[])", [[e for _pk, e in claimed]]),
            channel=Channel.SMS,
            subject="",
            body=body,
            purpose=PURPOSE,
            by_id=getattr(by, "pk", None),
            template_id=getattr(template, "pk", None),
            now=now,
            # A thank-you is a care SMS: a mobile that opted out gets a "not sent" row.
            opt_out=True,
        )
        deliver_after_commit()
    return len(claimed)
