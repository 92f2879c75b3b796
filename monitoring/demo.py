"""The demo park's monitor: a year of lights, enterprises in all three colours, one in each
step of the emergency procedure, a paused enterprise, and the rules' work.

A step of registry.demo.seed_demo, registered in MonitoringConfig.ready to run after
outreach's (which writes the contact history in bulk, without the attempt signal). Here:
some failed contacts are added — recent ones so that enterprises are yellow and red today,
past spells of red that ended with a success so that the trend chart has a shape — then
every enterprise's history is replayed with the pure light function (monitoring.light.replay)
and its changes of light stored, as they would have been recorded one attempt at a time.
"""

import datetime
import random
from collections import defaultdict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from monitoring import services
from monitoring.light import Attempt, Light, replay
from monitoring.models import ContactHealth, Evidence, LightChange
from monitoring.services.health import ONSITE_DUE_DAYS, RECHECK_DUE_DAYS, occasion_window
from monitoring.sql.health import of_light
from outreach.models import ContactAttempt, Task
from outreach.sql.tasks import tasks_open_where
from registry import clock
from registry.models import Enterprise

Channel = ContactAttempt.Channel
Outcome = ContactAttempt.Outcome
FAILURES = [Outcome.NO_ANSWER, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.NOT_IN_SERVICE]
# A one-page PDF: the demo's EMS receipts and photos of notices.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _failures(enterprise, by, days: list[datetime.date], rng) -> list[ContactAttempt]:
    return [
        ContactAttempt(
            enterprise=enterprise,
            liaison=enterprise.current_liaison,
            channel=rng.choice([Channel.PHONE, Channel.PHONE, Channel.WECHAT]),
            outcome=rng.choice(FAILURES),
            occurred_at=_at(day, rng.choice([10, 14, 15, 16])),
            note="无人接听。",
            by=by,
        )
        for day in days
    ]


def _add_failures(rng: random.Random, enterprises: list[Enterprise], staff, today) -> None:
    """Recent failures (yellow and red today) and past red spells ended by a success."""
    attempts = []
    shuffled = enterprises[:]
    rng.shuffle(shuffled)
    count = len(shuffled)
    reds = shuffled[: max(4, count // 12)]
    yellows = shuffled[len(reds) : len(reds) + max(2, count // 15)]
    spells = shuffled[len(reds) + len(yellows) : len(reds) + len(yellows) + max(6, count // 6)]
    for n, enterprise in enumerate(reds):
        # Red for a few days up to a few months.
        start = today - datetime.timedelta(days=4 + (n * 11) % 100)
        days = [start + datetime.timedelta(days=2 * i) for i in range(3 + n % 2)]
        attempts += _failures(enterprise, staff, [d for d in days if d < today], rng)
    for enterprise in yellows:
        start = today - datetime.timedelta(days=rng.randrange(3, 20))
        attempts += _failures(enterprise, staff, [start, start + datetime.timedelta(days=1)], rng)
    for n, enterprise in enumerate(spells):
        # Spells spread over the year, more of them in the winter months: a shape to see.
        start = today - datetime.timedelta(days=30 + int(300 * (n / len(spells)) ** 0.7))
        days = [start + datetime.timedelta(days=3 * i) for i in range(3)]
        attempts += _failures(enterprise, staff, days, rng)
        back = days[-1] + datetime.timedelta(days=rng.randrange(7, 60))
        attempts.append(
            ContactAttempt(
                enterprise=enterprise,
                liaison=enterprise.current_liaison,
                channel=Channel.VISIT,
                outcome=Outcome.REACHED,
                occurred_at=_at(min(back, today - datetime.timedelta(days=1))),
                note="实地走访，联系上联络员。",
                by=staff,
            )
        )
    ContactAttempt.objects.bulk_create(attempts, batch_size=2000)


def _replay_all() -> None:
    """Every enterprise's health and changes of light, from its whole history."""
    histories: dict[int, list[tuple[datetime.datetime, str, int]]] = defaultdict(list)
    for row in ContactAttempt.objects.order_by("occurred_at", "id").values_list(
        "enterprise_id", "occurred_at", "outcome", "id", "channel"
    ):
        histories[row[0]].append(row[1:])
    rows, changes = [], []
    for enterprise_id, history in histories.items():
        ids = {}
        attempts = []
        for at, outcome, attempt_id, channel in history:
            attempt = Attempt(at=at, reached=Outcome.is_success(outcome), channel=channel)
            ids.setdefault(attempt, attempt_id)
            attempts.append(attempt)
        health, spells = replay(attempts, window=occasion_window())
        rows.append(
            ContactHealth(
                enterprise_id=enterprise_id,
                light=health.light,
                consecutive_failures=health.consecutive_failures,
                light_since=health.light_since,
                last_success_at=health.last_success_at,
                last_attempt_at=health.last_attempt_at,
            )
        )
        changes += [
            LightChange(
                enterprise_id=enterprise_id,
                from_light=change.from_light,
                to_light=change.to_light,
                at=change.at,
                reason=LightChange.Reason.ATTEMPT,
                consecutive_failures=change.consecutive_failures,
                attempt_id=ids.get(change.attempt),
            )
            for change in spells
        ]
    ContactHealth.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    LightChange.objects.bulk_create(changes, batch_size=2000)


def _escalation_tasks(now: datetime.datetime) -> None:
    with connection.cursor() as cursor:
        for light, kind, channel, days in (
            (Light.YELLOW, Task.Kind.RECHECK_CALL, Channel.WECHAT, RECHECK_DUE_DAYS),
            (Light.RED, Task.Kind.ONSITE_VERIFICATION, Channel.VISIT, ONSITE_DUE_DAYS),
        ):
            tasks_open_where(
                cursor,
                kind=kind,
                holds=of_light(),
                params={"light": str(light)},
                note="连续联系失败，请按预警处理。",
                channel=channel,
                due_on=clock.today(now) + datetime.timedelta(days=days),
                now=now,
            )


def _procedures(staff, today: datetime.date) -> None:
    """One red enterprise at each step of the procedure, with its evidence."""
    reds = list(
        Enterprise.objects.filter(health__light=Light.RED)
        .exclude(status=Enterprise.Status.DEREGISTERED)
        .order_by("-health__light_since", "pk")[:3]
    )

    def pdf(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")

    for step, enterprise in enumerate(reds, 1):
        procedure = services.procedure_start(enterprise=enterprise, by=staff)
        services.evidence_add(
            procedure=procedure,
            kind=Evidence.Kind.EMS_LETTER,
            occurred_on=today - datetime.timedelta(days=10),
            tracking_number=f"EA{100000000 + enterprise.pk}CN",
            summary="寄往注册地址，已妥投。",
            file=pdf("EMS回执.pdf"),
            by=staff,
        )
        services.evidence_add(
            procedure=procedure,
            kind=Evidence.Kind.EMERGENCY_CONTACT_CALL,
            occurred_on=today - datetime.timedelta(days=9),
            who="紧急联系人",
            summary="电话无人接听。",
            by=staff,
        )
        if step >= 2:
            services.procedure_advance(procedure=procedure, by=staff)
            services.evidence_add(
                procedure=procedure,
                kind=Evidence.Kind.PROPERTY,
                occurred_on=today - datetime.timedelta(days=5),
                who="物业管理处张经理",
                summary="该公司两个月前已搬离，未留下联系方式。",
                by=staff,
            )
        if step >= 3:
            services.procedure_advance(procedure=procedure, by=staff)


def seed_monitoring_demo(*, rng: random.Random, users: dict) -> None:
    now = clock.now()
    today = clock.today(now)
    staff = users.get("staff")
    # The demo park has existed for years: its enterprises count in every month of the
    # trend's denominator (enterprises registered by then).
    Enterprise.objects.filter(created_at__gt=now - datetime.timedelta(days=1)).update(
        created_at=now - datetime.timedelta(days=3 * 365)
    )
    enterprises = list(
        Enterprise.objects.exclude(status=Enterprise.Status.DEREGISTERED)
        .prefetch_related("liaisons")
        .order_by("pk")
    )
    _add_failures(rng, enterprises, staff, today)
    _replay_all()
    _escalation_tasks(now)
    _procedures(staff, today)
    deregistering = Enterprise.objects.filter(status=Enterprise.Status.DEREGISTERING).first()
    if deregistering is not None:
        services.health_pause(
            enterprise=deregistering,
            until=today + datetime.timedelta(days=90),
            reason=ContactHealth.PauseReason.DEREGISTERING,
            by=staff,
        )
    services.rules_sweep(now=now)


def seed_building_attention_demo(*, rng, users) -> None:
    """Move red and yellow enterprises into the demo's first building until it has as many
    as make a building stand out (RuleSettings.building_attention_count); no random draws."""
    from monitoring.models import RuleSettings
    from registry.models import Building
    from registry.services import enterprise_update

    building = Building.objects.order_by("pk").first()
    if building is None:
        return
    wanted = RuleSettings.current().building_attention_count
    troubled = Enterprise.objects.filter(
        health__light__in=[Light.RED, Light.YELLOW],
        status=Enterprise.Status.OPERATING,
    ).order_by("pk")
    have = troubled.filter(building=building).count()
    for enterprise in troubled.exclude(building=building)[: max(0, wanted - have)]:
        enterprise_update(enterprise=enterprise, by=users.get("staff"), building=building)
