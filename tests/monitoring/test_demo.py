"""seed_demo gives the monitor enterprises in all three lights, one at each step of the
emergency procedure, and a year of changes of light for the trend chart."""

import io

import pytest
from django.core.management import call_command

from monitoring.dashboard import dashboard_for
from monitoring.light import Light, light_for
from monitoring.models import ContactHealth, EmergencyProcedure, LightChange
from outreach.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_park(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--enterprises", "150", "--seed", "7", stdout=io.StringIO())


def test_the_demo_has_all_three_lights_with_their_tasks(demo_park):
    lights = set(ContactHealth.objects.values_list("light", flat=True))
    assert lights == {Light.GREEN, Light.YELLOW, Light.RED}
    for health in ContactHealth.objects.exclude(paused_until__isnull=False):
        assert health.light == light_for(health.consecutive_failures)
    reds = ContactHealth.objects.filter(light=Light.RED).values("enterprise")
    onsite = Task.objects.filter(kind=Task.Kind.ONSITE_VERIFICATION, status="open")
    assert set(onsite.values_list("enterprise", flat=True)) >= {r["enterprise"] for r in reds}


def test_one_enterprise_at_each_step_of_the_procedure(demo_park):
    steps = sorted(EmergencyProcedure.objects.filter(status="open").values_list("step", flat=True))
    assert steps == [1, 2, 3]
    third = EmergencyProcedure.objects.get(status="open", step=3)
    assert third.evidence.filter(kind="ems_letter").exclude(file="").exists()


def test_a_year_of_light_changes_gives_the_trend_a_shape(demo_park, staff_user):
    assert LightChange.objects.count() > 20
    board = dashboard_for(user=staff_user)
    reds = [point.red for point in board.trend]
    assert len(set(reds)) >= 3  # not a flat line
    assert len({round(point.rate, 4) for point in board.trend}) >= 3
    assert board.red == reds[-1] > 0
