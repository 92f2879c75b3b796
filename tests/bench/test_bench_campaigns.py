"""A campaign to the whole park (100,000 enterprises): writing its messages, claiming a
batch for delivery and showing its progress, beside baselines measured in the same run."""

import statistics
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from outreach.messaging import services
from outreach.messaging.campaign_controls import campaign_messages_write
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage, SmsOptOut
from outreach.messaging.preview import campaign_preview
from outreach.selfservice.models import SelfServiceLink
from registry import clock
from registry.models import Enterprise, Liaison
from registry.selectors import EnterpriseFilters
from tests.bench.timing import measure, report

pytestmark = pytest.mark.django_db
# A details check (a personal link per liaison, made and hashed in SQL, older links
# superseded, the enterprises locked) may cost at most this many plain campaigns.
LINKS_BUDGET = 3.0
# ... and when every recipient still holds an open link (100k rows superseded as well).
WORST_BUDGET = 4.0


def _confirmed(campaign):
    """Its rows written now, as confirm or approval writes them (without the window's and
    the approval's checks, which a bench at any hour would trip)."""
    now = clock.now()
    with transaction.atomic():
        campaign_messages_write(campaign, at=now, now=now)
        campaign.status = Campaign.Status.CONFIRMED
        campaign.save(update_fields=["recipients", "status"])
    return campaign


def _create(staff_user, *, kind=Campaign.Kind.WEATHER, key="severe-weather-sms"):
    return _confirmed(
        services.campaign_create(
            name="全园区恶劣天气提示",
            kind=kind,
            template=MessageTemplate.objects.get(key=key),
            filters=EnterpriseFilters(),
            by=staff_user,
        )
    )


def _details_check(staff_user):
    return _confirmed(
        services.campaign_create(
            name="全园区联络员信息核对",
            kind=Campaign.Kind.DETAILS_CHECK,
            template=MessageTemplate.objects.get(key="self-service-link-sms"),
            filters=EnterpriseFilters(),
            by=staff_user,
        )
    )


def _clear():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the deferred FK checks first
        cursor.execute(
            f"TRUNCATE {OutboxMessage._meta.db_table}, {SelfServiceLink._meta.db_table} CASCADE"
        )
    Campaign.objects.all().delete()


def test_creating_a_campaign_for_the_whole_park(staff_user):
    def create():
        _clear()
        campaign = _create(staff_user)
        assert campaign.recipients == Enterprise.objects.count()

    def baseline():
        # What a per-row implementation would at best do: read the liaisons, build the
        # messages in Python, bulk_create them in batches of 1,000.
        _clear()
        rows = [
            OutboxMessage(
                enterprise_id=liaison.enterprise_id,
                liaison_id=liaison.pk,
                channel="sms",
                to=liaison.mobile,
                body=f"{liaison.name}您好",
                purpose="bench",
                next_attempt_at=liaison.created_at,
            )
            for liaison in Liaison.objects.filter(ended_on__isnull=True).only(
                "pk", "enterprise_id", "mobile", "name", "created_at"
            )
        ]
        OutboxMessage.objects.bulk_create(rows, batch_size=1000)

    report(
        "Campaign to every enterprise (INSERT … SELECT)",
        measure(create, repeat=3, warmup=0),
        measure(baseline, repeat=1, warmup=0),
    )


def test_a_details_check_with_a_personal_link_for_every_liaison(staff_user):
    """The plain campaign is the baseline. The details check runs into a links table whose
    older links have expired (the usual case: checks months apart, links live 14 days), and
    in the worst case a few days after another one: superseding 100k open links."""
    total = Enterprise.objects.count()

    def plain():
        _clear()
        assert _create(staff_user).recipients == total

    def details_check():
        _clear()
        campaign = _details_check(staff_user)
        assert SelfServiceLink.objects.filter(campaign=campaign).count() == total

    def superseding_samples(repeat=3):
        samples = []
        for _ in range(repeat):
            _clear()
            _details_check(staff_user)  # every liaison now holds an open link
            started = time.perf_counter()
            _details_check(staff_user)
            samples.append((time.perf_counter() - started) * 1000)
            assert SelfServiceLink.objects.filter(superseded_at__isnull=True).count() == total
        return {"median_ms": statistics.median(samples), "p95_ms": max(samples)}

    baseline = measure(plain, repeat=3, warmup=0)
    fresh = measure(details_check, repeat=3, warmup=0)
    superseding = superseding_samples()
    report("Details check to every liaison (links made in SQL)", fresh, baseline)
    report("Details check superseding 100k open links (worst case)", superseding, baseline)
    usual = fresh["median_ms"] / baseline["median_ms"]
    worst = superseding["median_ms"] / baseline["median_ms"]
    print(
        f"  budget: at most {LINKS_BUDGET:.0f}x the plain campaign ({usual:.1f}x), "
        f"{WORST_BUDGET:.0f}x when every liaison holds an open link ({worst:.1f}x)"
    )
    assert usual <= LINKS_BUDGET
    assert worst <= WORST_BUDGET


def test_claiming_and_showing_progress_with_100k_queued(staff_user):
    _clear()
    campaign = _create(staff_user)
    client = Client()
    client.force_login(staff_user)
    url = reverse("messaging:campaign", args=[campaign.pk])

    def claim_and_release():
        claimed = services.outbox_claim(limit=20)
        assert len(claimed) == 20
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            status="queued", lease_until=None
        )

    def progress_page():
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200

    def baseline():
        list(OutboxMessage.objects.filter(status="queued")[:20])

    report("Claim a batch of 20 with 100k queued", measure(claim_and_release), measure(baseline))
    report("Campaign progress (htmx poll) at 100k", measure(progress_page), measure(baseline))


# A greeting leaves out opted-out numbers and paused enterprises in the same statement: at
# most this many plain campaigns (a notice, which ignores opt-outs).
OPT_OUT_BUDGET = 1.5
# The preview (one query over every chosen enterprise): at most this share of the write.
PREVIEW_BUDGET = 0.5


def test_a_greeting_with_opt_outs_and_its_preview(staff_user):
    """1% of the mobiles opted out and 1% of the enterprises paused by the monitor."""
    from monitoring.models import ContactHealth

    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {SmsOptOut._meta.db_table} (mobile, keyword, created_at)
            SELECT mobile, 'R', now() FROM {Liaison._meta.db_table}
            WHERE mod(id, 100) = 0 AND ended_on IS NULL ON CONFLICT DO NOTHING"""
        )
        cursor.execute(
            f"""INSERT INTO {ContactHealth._meta.db_table} (enterprise_id, light,
                consecutive_failures, paused_until, pause_reason, updated_at)
            SELECT id, 'green', 0, %s, 'suspended', now() FROM {Enterprise._meta.db_table}
            WHERE mod(id, 100) = 50 ON CONFLICT (enterprise_id) DO NOTHING""",
            [clock.today()],
        )
    total = Enterprise.objects.count()
    draft = services.campaign_create(
        name="全园区节日问候",
        kind=Campaign.Kind.HOLIDAY,
        template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
        filters=EnterpriseFilters(),
        by=staff_user,
    )

    paused = ContactHealth.objects.filter(paused_until__isnull=False).count()

    def notice():
        _clear()
        assert _create(staff_user).recipients == total - paused  # a paused one gets no row

    def greeting():
        _clear()
        campaign = _create(staff_user, kind=Campaign.Kind.HOLIDAY, key="holiday-greeting-sms")
        assert campaign.recipients < total  # the paused ones get no row

    def preview():
        result = campaign_preview(campaign=draft)
        assert result.chosen == total and result.left_out["opted_out"] > 0
        assert result.left_out["paused"] > 0 and result.segments >= 1

    baseline = measure(notice, repeat=3, warmup=0)
    with_opt_outs = measure(greeting, repeat=3, warmup=0)
    previewed = measure(preview, repeat=3)
    report("Greeting leaving out opted-out and paused (INSERT … SELECT)", with_opt_outs, baseline)
    report("Campaign preview over every enterprise (one query)", previewed, baseline)
    ratio = with_opt_outs["median_ms"] / baseline["median_ms"]
    share = previewed["median_ms"] / baseline["median_ms"]
    print(
        f"  budget: greeting at most {OPT_OUT_BUDGET}x the notice ({ratio:.2f}x); "
        f"preview at most {PREVIEW_BUDGET}x the write ({share:.2f}x)"
    )
    ContactHealth.objects.all().delete()
    SmsOptOut.objects.all().delete()
    assert ratio <= OPT_OUT_BUDGET
    assert share <= PREVIEW_BUDGET
