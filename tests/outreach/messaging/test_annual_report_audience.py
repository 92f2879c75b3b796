"""An annual-report reminder (1 January – 30 June) goes only to the enterprises that have not
filed last year's report; one filed between the draft and the confirmation is left out too."""

import datetime

import pytest
import time_machine

from outreach.messaging import services
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from registry import clock
from registry.models import AnnualReport
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import confirm_now

pytestmark = pytest.mark.django_db

MARCH = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


def _filed(enterprise, year=2025):
    AnnualReport.objects.create(enterprise=enterprise, year=year, filed=True, updated_at=MARCH)


def test_an_annual_report_reminder_goes_to_non_filers_only(grid_a, staff_user):
    made = {
        name: LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=name)).enterprise
        for name in ("已报企业", "未报企业", "前年已报企业", "草稿后才报的企业")
    }
    _filed(made["已报企业"])
    _filed(made["前年已报企业"], year=2024)  # another year's report does not count
    with time_machine.travel(MARCH):
        draft = services.campaign_create(
            name="年报提醒",
            kind=Campaign.Kind.ANNUAL_REPORT,
            template=MessageTemplate.objects.get(key="annual-report-sms"),
            filters=EnterpriseFilters(grid="A"),
            by=staff_user,
        )
        assert draft.filters["extra"] == {"annual_report": "not_filed"}
        _filed(made["草稿后才报的企业"])
        campaign = confirm_now(draft)
    names = set(
        OutboxMessage.objects.filter(campaign=campaign).values_list("enterprise__name", flat=True)
    )
    assert names == {"未报企业", "前年已报企业"}
    assert campaign.recipients == 2


def test_other_campaigns_still_go_to_everyone_chosen(grid_a, staff_user):
    for name in ("已报企业", "未报企业"):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a, name=name))
    _filed(EnterpriseFactory(grid=grid_a, name="已报无联络员"))
    with time_machine.travel(clock.start_of_day(datetime.date(2026, 3, 2))):
        campaign = confirm_now(
            services.campaign_create(
                name="问候",
                kind=Campaign.Kind.HOLIDAY,
                template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
                filters=EnterpriseFilters(grid="A"),
                by=staff_user,
            )
        )
    assert campaign.recipients == 3
