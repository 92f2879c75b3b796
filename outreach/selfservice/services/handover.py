"""The liaison's "I am leaving" and its handover: the leaving liaison names their last day
and successor through their link; staff confirm it, the successor becomes the liaison and
gets their own link. What was reported is kept on the link (leaving_on, successor_*) until
then: it is the leaving liaison's word, not the successor's, so the registry waits."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.models import Task
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services.details import self_service_attempt
from outreach.selfservice.services.links import link_spend, selfservice_link_send
from outreach.services import task_open, tasks_close_where
from outreach.services.contact_log import HANDOVER_DUE_DAYS
from registry import clock
from registry.models import Enterprise, Liaison
from registry.normalize import mask_phone
from registry.services import liaison_replace


def selfservice_leaving_report(
    *,
    link: SelfServiceLink,
    notice_version: str,
    last_day: datetime.date,
    successor_name: str,
    successor_mobile: str,
) -> Task:
    """ "I am leaving": the liaison names their last day and successor. Staff get a handover
    task with the successor in its note; they confirm it (liaison_replace), after which the
    successor is welcomed with their own link. Nothing in the registry changes yet: the successor's
    details are the leaving liaison's word, not the successor's."""
    errors = {}
    name = (successor_name or "").strip()
    if not name:
        errors["successor_name"] = [_("Please give your successor's name.")]
    try:
        mobile = Liaison._meta.get_field("mobile").clean(successor_mobile, None)
    except ValidationError as error:
        errors["successor_mobile"] = error.messages
    today = clock.today()
    if last_day is None or not (
        today - datetime.timedelta(days=90) <= last_day <= today + datetime.timedelta(days=365)
    ):
        errors["last_day"] = [
            _("Please give your last day (within the past 90 days or the coming year).")
        ]
    if errors:
        raise ValidationError(errors)
    # The note is read in lists by every role (the auditor too): the successor's mobile is
    # masked in it; the enterprise panel shows it whole through a logged "show".
    note = _(
        "Reported by the liaison through their personal link: last day %(day)s; successor "
        "%(name)s, mobile %(mobile)s (in full on the enterprise page). Confirm with the "
        "enterprise, then replace the liaison."
    ) % {"day": last_day.isoformat(), "name": name, "mobile": mask_phone(mobile)}
    with transaction.atomic():
        link_spend(link, notice_version=notice_version)
        SelfServiceLink.objects.filter(pk=link.pk).update(
            leaving_on=last_day, successor_name=name, successor_mobile=mobile
        )
        self_service_attempt(
            link, verified=False, note=_("The liaison reported that they are leaving.")
        )
        # After the attempt: a reached liaison answers an open handover task, and this one
        # must stay open for staff.
        return task_open(
            enterprise=link.enterprise,
            kind=Task.Kind.HANDOVER,
            source=Task.Source.SELF_SERVICE,
            due_on=today + datetime.timedelta(days=HANDOVER_DUE_DAYS),
            note=note,
        )


def selfservice_handover_confirm(*, link: SelfServiceLink, by) -> SelfServiceLink:
    """Staff confirmed a handover the liaison reported: the successor becomes the liaison
    (the leaver's period ends today), the handover task is done, and the successor is sent
    their own link to check and complete their details: in their welcome. Returns the
    successor's link (without its token, which only the SMS carries)."""
    with transaction.atomic():
        locked = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        if not locked.successor_name or locked.handover_confirmed_at is not None:
            raise ServiceError(_("There is no reported handover to confirm."), code="no_handover")
        current = Liaison.objects.filter(
            enterprise=locked.enterprise_id, ended_on__isnull=True
        ).first()
        if current is None or current.pk != locked.liaison_id:
            raise ServiceError(
                _("The liaison has changed since the handover was reported."),
                code="liaison_changed",
            )
        # Starting the successor's period welcomes them (outreach.selfservice.welcome):
        # that SMS carries their own link, so none is sent besides.
        successor = liaison_replace(
            enterprise=locked.enterprise,
            by=by,
            name=locked.successor_name,
            mobile=locked.successor_mobile,
        )
        locked.handover_confirmed_at = clock.now()
        locked.save(update_fields=["handover_confirmed_at"])
        tasks_close_where(
            tasks=Task.objects.filter(
                enterprise=locked.enterprise, kind=Task.Kind.HANDOVER, status=Task.Status.OPEN
            ),
            by=by,
            note=_("Handover confirmed; the successor was sent their own link."),
        )
        link = SelfServiceLink.objects.filter(liaison=successor).order_by("-pk").first()
        # No welcome was written (its template's text without a link): send the link itself.
        return link or selfservice_link_send(enterprise=locked.enterprise, by=by)


def reported_handover(enterprise: Enterprise) -> SelfServiceLink | None:
    """The handover the current liaison reported and staff have not confirmed yet."""
    return (
        SelfServiceLink.objects.filter(
            enterprise=enterprise,
            liaison__ended_on__isnull=True,
            handover_confirmed_at__isnull=True,
        )
        .exclude(successor_name="")
        .order_by("-used_at")
        .first()
    )
