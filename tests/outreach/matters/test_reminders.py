"""At 80 % of a limit the owner is reminded; past it the matter is flagged overdue and the
lead told; each once, however often the beat runs."""

import datetime

import pytest

from outreach.matters.models import Matter, MatterStep
from outreach.matters.services import matters_remind
from outreach.matters.tasks import remind_matters
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db


def test_the_owner_is_reminded_at_80_percent_once(intake, worker_a, complaint):
    matter = intake(category=complaint, disposition="routed", owner=worker_a)
    # Complaints: a first response within 4 hours; at 3h12 the owner is reminded.
    before = matter.received_at + datetime.timedelta(hours=3, minutes=11)
    assert matters_remind(now=before).reminded == 0
    at = matter.received_at + datetime.timedelta(hours=3, minutes=12)
    assert matters_remind(now=at).reminded == 1
    assert matters_remind(now=at).reminded == 0
    step = MatterStep.objects.get(matter=matter, action="remind")
    assert step.to_user == worker_a


def test_past_the_limit_it_is_flagged_overdue_and_the_lead_told(
    intake, worker_a, complaint, tax_office, admin_user
):
    matter = intake(category=complaint, disposition="routed", department=tax_office)
    late = matter.received_at + datetime.timedelta(hours=5)
    result = matters_remind(now=late)
    assert result.overdue == 1
    matter.refresh_from_db()
    assert matter.overdue
    assert MatterStep.objects.get(matter=matter, action="overdue").to_user == admin_user
    assert matters_remind(now=late).overdue == 0


def test_an_answered_matter_is_never_reminded(intake, complaint):
    intake(category=complaint, disposition="answered", answer="已答复")
    result = matters_remind(now=Matter.objects.get().resolution_due + datetime.timedelta(days=1))
    assert (result.reminded, result.overdue) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_remind_once(enterprise_a, staff_user):
    from outreach.matters.defaults import categories_ensure_defaults
    from outreach.matters.models import MatterCategory
    from outreach.matters.services import matter_intake

    categories_ensure_defaults()
    matter = matter_intake(
        channel="phone",
        category=MatterCategory.objects.get(name="投诉"),
        description="投诉",
        by=staff_user,
        enterprise=enterprise_a,
    )
    late = matter.received_at + datetime.timedelta(days=30)
    _results, errors = at_once(lambda: matters_remind(now=late))
    assert not errors
    assert MatterStep.objects.filter(matter=matter, action="overdue").count() == 1
    assert MatterStep.objects.filter(matter=matter, action="remind").count() == 2


def test_the_beat_task_runs_the_rules(intake, complaint):
    intake(category=complaint)
    assert remind_matters() == {"reminded": 0, "overdue": 0}
