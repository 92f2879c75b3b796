"""Reads of events: the list, who may edit them, the progress towards the yearly target."""

import dataclasses
import datetime

from django.db.models import Count, Max, Q, QuerySet

from outreach.events.models import Event, EventInvitation, EventSettings
from outreach.messaging.models import Campaign, OutboxMessage
from outreach.sql.events import REMINDED_ANSWERS
from registry import clock

EDIT_PERMISSION = "outreach.change_event"


def can_edit_events(user) -> bool:
    return user.is_authenticated and user.has_perm(EDIT_PERMISSION)


def event_list(*, kind: str = "", when: str = "", now: datetime.datetime) -> QuerySet[Event]:
    """Events of ``kind`` (all if empty); ``when``: "upcoming" (not yet started, soonest
    first), "past" (latest first) or everything."""
    events = Event.objects.all()
    if kind in Event.Kind.values:
        events = events.filter(kind=kind)
    if when == "upcoming":
        return events.filter(starts_at__gte=now).order_by("starts_at", "id")
    if when == "past":
        return events.filter(starts_at__lt=now)
    return events


@dataclasses.dataclass(frozen=True)
class TrainingProgress:
    year: int
    held: int  # trainings that started this calendar year before now
    planned: int  # trainings still to come this calendar year
    target: int

    @property
    def reached(self) -> bool:
        return self.held >= self.target

    @property
    def short(self) -> int:
        """How many more the park must plan to reach the target."""
        return max(0, self.target - self.held - self.planned)


def trainings_target() -> int:
    """The admin's yearly target, or the default while no admin has saved one (a read: the
    dashboard does not write the settings row)."""
    saved = EventSettings.objects.filter(pk=1).values_list("trainings_per_year", flat=True)
    return saved.first() or EventSettings._meta.get_field("trainings_per_year").default


def training_progress(*, now: datetime.datetime | None = None) -> TrainingProgress:
    """The trainings of the park's current calendar year (Shanghai's year), held and
    planned, against EventSettings.trainings_per_year."""
    now = now or clock.now()
    year = clock.today(now).year
    start = clock.start_of_day(datetime.date(year, 1, 1))
    end = clock.start_of_day(datetime.date(year + 1, 1, 1))
    counts = Event.objects.filter(
        kind=Event.Kind.TRAINING, starts_at__gte=start, starts_at__lt=end
    ).aggregate(
        held=Count("pk", filter=Q(starts_at__lt=now)),
        planned=Count("pk", filter=Q(starts_at__gte=now)),
    )
    return TrainingProgress(
        year=year,
        held=counts["held"],
        planned=counts["planned"],
        target=trainings_target(),
    )


def event_invitations(*, event: Event) -> QuerySet[EventInvitation]:
    """The event's invitations with their enterprise and liaison, by enterprise name."""
    return event.invitations.select_related("enterprise", "liaison").order_by(
        "enterprise__name", "pk"
    )


def answer_counts(*, event: Event) -> dict[str, int]:
    counts = event.invitations.aggregate(
        invited=Count("pk"),
        unanswered=Count("pk", filter=Q(answer="")),
        **{value: Count("pk", filter=Q(answer=value)) for value in EventInvitation.Answer.values},
    )
    counts["answered"] = counts["invited"] - counts["unanswered"]
    return counts


def open_invitations(*, liaison_id: int, now: datetime.datetime) -> QuerySet[EventInvitation]:
    """The liaison's invitations to events not started yet, soonest first."""
    return (
        EventInvitation.objects.filter(liaison_id=liaison_id, event__starts_at__gt=now)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )


def invitation_message_counts(*, event: Event) -> dict[str, int]:
    """The event's invitation SMS (all its campaigns' rows): written, waiting to go out,
    sent (handed to the provider), delivered (the provider's receipt), not sent or failed."""
    Status = OutboxMessage.Status
    return OutboxMessage.objects.filter(
        campaign__event=event, campaign__kind=Campaign.Kind.EVENT_INVITATION
    ).aggregate(
        written=Count("pk"),
        waiting=Count("pk", filter=Q(status__in=[Status.QUEUED, Status.SENDING])),
        sent=Count("pk", filter=Q(status=Status.SENT)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        not_sent=Count("pk", filter=Q(status__in=[Status.SKIPPED, Status.FAILED, Status.HELD])),
    )


def reminder_counts(*, event: Event) -> dict[str, int]:
    """The reminders the day before: invitations that will get one (参加 or 派同事参加, not
    reminded yet), reminded, and how their reminders fared."""
    return event.invitations.aggregate(
        to_remind=Count("pk", filter=Q(answer__in=REMINDED_ANSWERS, reminded_at__isnull=True)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        reminder_sent=Count("pk", filter=Q(reminder__status=OutboxMessage.Status.SENT)),
        reminder_delivered=Count("pk", filter=Q(reminder__delivered_at__isnull=False)),
        last_reminded=Max("reminded_at"),
    )


def event_campaigns(*, event: Event) -> QuerySet[Campaign]:
    return event.campaigns.order_by("-created_at", "-pk")
