"""`seed_demo` is what a park admin sees first: everything it writes must be data the portal
itself would accept, and the demo logins must work in their roles."""

import datetime
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory

from monitoring.demo import seed_monitoring_demo
from outreach.demo import seed_outreach_history
from registry import clock, demo
from registry.demo import DEMO_PASSWORD, demo_steps, register_demo_step
from registry.models import EmergencyContact, Enterprise, GridArea, Liaison
from registry.roles import Role, user_role
from registry.selectors import enterprise_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_park():
    call_command("seed_demo", "--enterprises", "80", "--seed", "7", stdout=io.StringIO())


def test_every_demo_record_passes_the_portals_own_validation(demo_park):
    assert Enterprise.objects.count() == 80
    for model in (Enterprise, Liaison, EmergencyContact):
        for record in model.objects.all():
            record.full_clean()  # raises on a code, phone or ID number the portal would refuse


def test_the_demo_users_log_in_with_their_roles(demo_park):
    roles = {}
    for username in ["admin", "staff", "grid1", "grid2", "auditor"]:
        # The lockout's backend counts attempts per request (address), so it needs one.
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        roles[username] = user_role(user)
    assert roles == {
        "admin": Role.ADMIN,
        "staff": Role.STAFF,
        "grid1": Role.GRID_WORKER,
        "grid2": Role.GRID_WORKER,
        "auditor": Role.AUDITOR,
    }


def test_the_demo_users_log_in_on_the_login_page_and_owe_no_password_change(demo_park, client):
    # The README's demo table: every login works as printed, straight to the portal.
    for username in ["admin", "staff", "grid1", "grid2", "auditor"]:
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200, username


def test_the_demo_password_meets_the_password_policy():
    # The seeding sets it without the validators; this keeps the README's password honest.
    try:
        validate_password(DEMO_PASSWORD)
    except ValidationError as error:
        pytest.fail(f"the demo password breaks the policy: {error.messages}")


def test_grid1_and_grid2_own_different_grid_areas(demo_park):
    grid1 = set(GridArea.objects.filter(workers__username="grid1"))
    grid2 = set(GridArea.objects.filter(workers__username="grid2"))
    assert grid1 and grid2 and not grid1 & grid2
    assert Enterprise.objects.filter(grid__in=grid1).exists()


def test_some_enterprises_changed_liaison_and_the_history_shows_it(demo_park):
    changed = Enterprise.objects.filter(liaisons__ended_on__isnull=False).distinct()
    assert changed.count() == 8  # one in ten
    enterprise = changed.first()
    assert enterprise.liaisons.filter(ended_on__isnull=True).count() == 1
    actions = [(e.record, e.action) for e in enterprise_history(enterprise=enterprise)]
    assert ("liaison", "update") in actions  # the old period ended
    assert actions.count(("liaison", "insert")) == 2


def test_seeding_if_empty_does_not_seed_twice(demo_park):
    call_command("seed_demo", "--if-empty", stdout=io.StringIO())
    assert Enterprise.objects.count() == 80


def test_the_higher_apps_demo_steps_run_outreachs_history_before_monitorings_lights():
    from monitoring.demo import seed_building_attention_demo
    from monitoring.signals.demo import seed_signals_demo
    from registry.buildings.demo import seed_buildings_demo

    steps = demo_steps()
    assert steps.index(seed_outreach_history) < steps.index(seed_monitoring_demo)
    # The buildings' tenants with red and yellow lights: after both the buildings and lights.
    assert steps.index(seed_building_attention_demo) > max(
        steps.index(seed_monitoring_demo), steps.index(seed_buildings_demo)
    )
    # The reports from outside are on the enterprises the demo gave lights.
    assert steps.index(seed_signals_demo) > steps.index(seed_monitoring_demo)
    assert len(steps) == 6  # and the events' (outreach/events)


def test_a_demo_step_runs_after_the_steps_it_names_whatever_the_order_apps_start_in(
    monkeypatch,
):
    monkeypatch.setattr(demo, "_STEPS", {})
    ran = []
    register_demo_step("lights", lambda **kw: ran.append("lights"), after=("history",))
    register_demo_step("history", lambda **kw: ran.append("history"))
    for step in demo_steps():
        step(rng=None, users={})
    assert ran == ["history", "lights"]


def test_a_demo_step_after_a_step_no_app_registered_is_refused(monkeypatch):
    monkeypatch.setattr(demo, "_STEPS", {})
    register_demo_step("lights", lambda **kw: None, after=("history",))
    with pytest.raises(ValueError, match="history"):
        demo_steps()


def test_the_demo_park_reads_like_a_real_one(demo_park):
    """Company names as a registration authority would accept them (unique, 上海 + trade
    name + business + form), addresses on the streets of the enterprise's own grid area,
    staff with people's names."""
    names = list(Enterprise.objects.values_list("name", flat=True))
    assert len(set(names)) == len(names)
    assert all(name.startswith("上海") and name.endswith("公司") for name in names)
    for enterprise in Enterprise.objects.select_related("grid").filter(building__isnull=True):
        streets = demo.GRID_STREETS[enterprise.grid.code]
        address = enterprise.registered_address
        assert address.startswith(demo.DISTRICT), address
        assert any(street in address for street in streets), (address, enterprise.grid.code)
    people = dict(
        get_user_model()
        .objects.filter(username__in=["admin", "grid1"])
        .values_list("username", "first_name")
    )
    assert people == {"admin": "林晓燕", "grid1": "王磊"}


def test_the_demo_history_spans_the_past_year(demo_park):
    """The first fill a year and a month ago, each liaison change on its own day since."""
    today = clock.today()
    changed = Enterprise.objects.filter(liaisons__ended_on__isnull=False).distinct()
    change_days = set()
    for enterprise in changed:
        history = enterprise_history(enterprise=enterprise)
        # (Events the demo does not move keep the database's clock, which the date runs of
        # tests/at_date.py leave behind: only the demo's own moves are checked.)
        [registered] = [h for h in history if (h.record, h.action) == ("enterprise", "insert")]
        assert (today - clock.local(registered.at).date()).days == 395, registered.at
        ended = [h for h in history if h.action == "update" and "ended_on" in h.changes]
        [end] = ended
        day = clock.local(end.at).date()
        assert today - datetime.timedelta(days=366) <= day <= today - datetime.timedelta(days=7)
        assert day == enterprise.liaisons.get(ended_on__isnull=True).started_on
        change_days.add(day)
    assert len(change_days) >= 6  # spread, not all on one day
