"""The bulk outbox write and a campaign's preview (outreach/sql/messaging.py) against their
reference versions on the campaign park: who gets a row, to which liaison and address, why
it is not sent; and the preview's counts."""

import pytest

from monitoring.sql.health import paused_reference
from outreach.messaging.bulk import outbox_write_bulk
from outreach.messaging.exclusions import paused_sql
from outreach.messaging.models import Campaign, Channel, OutboxMessage
from outreach.messaging.preview import audience_preview
from outreach.selfservice.models import SelfServiceLink
from outreach.sql.messaging import outbox_reference, preview_reference
from registry import clock
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters
from registry.sql import Table
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.test_campaign_controls import TUESDAY_10, park  # noqa: F401

pytestmark = pytest.mark.django_db

CASES = [
    # channel, body, opt_out, include_deregistered
    (Channel.SMS, "{{ enterprise }}：{{ liaison }}您好，节日快乐", True, False),
    (Channel.SMS, "请核对信息：{{ link }}", False, True),
    (Channel.EMAIL, "{{ liaison }}您好", False, False),
]


@pytest.fixture
def wider_park(park, grid_a):  # noqa: F811
    """The campaign park, and a liaison with a mobile but no e-mail."""
    LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name="无邮箱"), email="")
    return park


@pytest.mark.parametrize(("channel", "body", "opt_out", "include_deregistered"), CASES)
def test_the_bulk_write_writes_the_rows_of_its_reference(
    wider_park, channel, body, opt_out, include_deregistered
):
    ids = set(Enterprise.objects.values_list("pk", flat=True))
    paused = paused_reference(clock.today(TUESDAY_10))
    links = "{{ link }}" in body
    expected = outbox_reference(
        ids,
        channel=channel,
        links=links,
        opt_out=opt_out,
        include_deregistered=include_deregistered,
        paused=paused,
    )
    e = Table(Enterprise)
    created, _queued = outbox_write_bulk(
        enterprises=(f"SELECT {e.id} FROM {e}", []),
        channel=channel,
        subject="通知" if channel == Channel.EMAIL else "",
        body=body,
        purpose="parity",
        by_id=None,
        now=TUESDAY_10,
        include_deregistered=include_deregistered,
        paused=paused_sql(clock.today(TUESDAY_10)),
        opt_out=opt_out,
    )
    written = {
        m.enterprise_id: (m.liaison_id, m.to, m.problem) for m in OutboxMessage.objects.all()
    }
    assert written == expected
    assert created == len(expected)
    problems = {problem for _liaison, _to, problem in expected.values()}
    assert "" in problems and len(problems) >= 3  # some sent, several reasons not
    if links:  # a link for each row sent, none for the others
        sent = {pk for pk, (_l, _t, problem) in expected.items() if not problem}
        assert set(SelfServiceLink.objects.values_list("enterprise_id", flat=True)) == sent


@pytest.mark.parametrize(("channel", "body", "opt_out", "include_deregistered"), CASES)
def test_the_preview_counts_what_its_reference_counts(
    wider_park, staff_user, channel, body, opt_out, include_deregistered
):
    kind = Campaign.Kind.HOLIDAY if opt_out else Campaign.Kind.GENERAL
    preview = audience_preview(
        user=staff_user,
        filters=EnterpriseFilters(),
        channel=channel,
        body=body,
        kind=kind,
        include_deregistered=include_deregistered,
        now=TUESDAY_10,
    )
    expected = preview_reference(
        set(Enterprise.objects.values_list("pk", flat=True)),
        channel=channel,
        links="{{ link }}" in body,
        opt_out=opt_out and channel == Channel.SMS,
        include_deregistered=include_deregistered,
        paused=paused_reference(clock.today(TUESDAY_10)),
    )
    assert preview.sendable == expected.pop("")
    assert {reason: n for reason, n in preview.left_out.items() if n} == +expected
    assert preview.chosen == Enterprise.objects.count()
