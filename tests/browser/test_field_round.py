"""A grid worker's morning round from a phone (issue 21), and the same at a desk: today's
tasks grouped by building and street, a call from a masked number (the logged show, then
tel:) with its one-tap outcome, a visit logged with a photo of the door plate and, with
consent, the phone's location; the filters folded on a phone."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from outreach.models import ContactAttempt, Task, VisitEvidence
from outreach.services import task_open
from registry import clock
from registry.models import Building, Enterprise, SensitiveView
from tests.browser.conftest import PHONE
from tests.factories import EnterpriseFactory, LiaisonFactory

SHANGHAI = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 12}


@pytest.fixture
def round_of_worker_a(worker_a, grid_a, enterprise_a):
    """Three stops: two in one building, one on 曲阳路."""
    building = Building.objects.create(name="虹口SOHO", address="四川北路999号", grid=grid_a)
    neighbour = EnterpriseFactory(grid=grid_a, name="上海楼上贸易有限公司")
    LiaisonFactory(enterprise=neighbour, name="李娜", mobile="13712345678")
    street = EnterpriseFactory(
        grid=grid_a, name="上海曲阳咨询有限公司", registered_address="上海市虹口区曲阳路88号"
    )
    Enterprise.objects.filter(pk__in=[enterprise_a.pk, neighbour.pk]).update(building=building)
    for enterprise in (enterprise_a, neighbour, street):
        task = task_open(
            enterprise=enterprise,
            kind=Task.Kind.ROUTINE,
            source=Task.Source.PLAN,
            due_on=clock.today(),
        )
        Task.objects.filter(pk=task.pk).update(assignee=worker_a)
    return building


# A headless browser has no dialer: a tel: link it follows is recorded here instead, and the
# page stays (a phone's dialer opens over the browser, which keeps the page as it was).
NO_DIALER = """
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[href^='tel:']");
  if (link) { window.dialled = link.getAttribute("href"); event.preventDefault(); }
}, true);
"""


def _eventually(page, expression: str, tries: int = 50):
    """The expression's value once it has one (page.wait_for_function evaluates strings,
    which the portal's CSP forbids)."""
    for _ in range(tries):
        value = page.evaluate(expression)
        if value:
            return value
        page.wait_for_timeout(100)
    return page.evaluate(expression)


def _call_and_log(page, stop, outcome_label):
    stop.get_by_test_id("call-liaison-mobile").click()
    tel = stop.get_by_test_id("tel")
    expect(tel).to_have_attribute("href", "tel:13912345678")
    assert _eventually(page, "window.dialled") == "tel:13912345678"  # dialled at once
    outcomes = stop.get_by_test_id("call-outcomes")
    expect(outcomes).to_be_visible()
    outcomes.get_by_role("button", name=outcome_label).click()
    expect(stop.get_by_test_id("call-logged")).to_contain_text(outcome_label)


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_round_grouped_by_building_and_street_and_a_call_logged_in_one_tap(
    width, page, new_context, login, worker_a, enterprise_a, round_of_worker_a, shot
):
    if width == "phone":
        page = new_context(**PHONE).new_page()
    page.add_init_script(NO_DIALER)
    login(page, worker_a.username)
    page.goto("/tasks/")
    page.get_by_test_id("round-link").click()
    expect(page.get_by_role("heading", name="今日走访")).to_be_visible()
    groups = page.get_by_test_id("round-group")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_contain_text("虹口SOHO")
    expect(groups.nth(0).get_by_test_id("stop")).to_have_count(2)
    expect(groups.nth(1)).to_contain_text("曲阳路")
    expect(page.locator("a[href^='tel:']")).to_have_count(0)  # masked numbers are no links
    stop = page.locator(f"[data-uscc='{enterprise_a.uscc}']")
    expect(stop).to_contain_text("139****5678")
    shot(page, f"round-{width}")
    if width == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _call_and_log(page, stop, "无人接听")
    shot(page, f"round-call-logged-{width}")
    attempt = ContactAttempt.objects.get(enterprise=enterprise_a)
    assert (attempt.channel, attempt.outcome, attempt.by) == ("phone", "no_answer", worker_a)
    assert attempt.liaison == enterprise_a.current_liaison
    assert SensitiveView.objects.filter(user=worker_a, enterprise=enterprise_a).count() == 1


def test_a_call_from_the_enterprise_page_at_a_desk(page, login, staff_user, enterprise_a, shot):
    page.add_init_script(NO_DIALER)
    login(page, staff_user.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    liaison = page.locator(f"#p-liaison-mobile-{enterprise_a.current_liaison.pk}")
    _call_and_log(page, liaison, "已联系上")
    shot(page, "enterprise-call-logged-desktop")
    attempt = ContactAttempt.objects.get(enterprise=enterprise_a)
    assert (attempt.outcome, attempt.by) == ("reached", staff_user)


def _door_plate(tmp_path):
    path = tmp_path / "门牌.jpg"
    image = Image.new("RGB", (320, 200), (30, 90, 160))
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_visit_logged_with_a_photo_and_the_phones_location_shows_on_the_timeline(
    width, new_context, login, settings, tmp_path, worker_a, enterprise_a, round_of_worker_a, shot
):
    settings.MEDIA_ROOT = tmp_path
    options = PHONE if width == "phone" else {"viewport": {"width": 1280, "height": 900}}
    # The browser's location, granted to the page (CDP Browser.grantPermissions).
    page = new_context(**options, geolocation=SHANGHAI, permissions=["geolocation"]).new_page()
    login(page, worker_a.username)
    page.goto("/tasks/round/")
    page.locator(f"[data-uscc='{enterprise_a.uscc}']").get_by_test_id("log-visit").click()
    expect(page.get_by_role("heading", name="记录联系")).to_be_visible()
    expect(page.get_by_label("线下走访")).to_be_checked()
    page.get_by_label("已联系上").check()
    page.get_by_label("门牌或招牌照片").set_input_files(_door_plate(tmp_path))
    status = page.get_by_test_id("geo-status")
    expect(status).to_be_empty()  # nothing asked before consent
    page.get_by_label("记录我此刻的位置作为走访凭证（将请求手机定位）").check()
    expect(status).to_contain_text("已记录位置")
    shot(page, f"visit-evidence-{width}")
    page.get_by_role("button", name="保存联系记录").click()

    expect(page.get_by_text("联系已记录。")).to_be_visible()
    evidence = VisitEvidence.objects.get()
    assert evidence.attempt.channel == "visit" and evidence.photo
    assert (float(evidence.latitude), float(evidence.longitude)) == (31.2304, 121.4737)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    shown = page.get_by_test_id("timeline-evidence")
    expect(shown.locator("img")).to_have_count(1)
    shown.locator("img").scroll_into_view_if_needed()  # loaded lazily
    assert _eventually(page, "document.querySelector('.evidence img').naturalWidth") == 320
    expect(shown.locator("a[href='geo:31.230400,121.473700']")).to_have_count(1)
    shot(page, f"visit-timeline-{width}")


def test_without_consent_no_location_is_asked_or_kept(
    new_context, login, settings, tmp_path, worker_a, enterprise_a
):
    settings.MEDIA_ROOT = tmp_path
    page = new_context(**PHONE, geolocation=SHANGHAI, permissions=["geolocation"]).new_page()
    login(page, worker_a.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/contact/?channel=visit")
    page.get_by_label("已联系上").check()
    page.get_by_label("门牌或招牌照片").set_input_files(_door_plate(tmp_path))
    page.get_by_role("button", name="保存联系记录").click()
    expect(page.get_by_text("联系已记录。")).to_be_visible()
    evidence = VisitEvidence.objects.get()
    assert evidence.photo and not evidence.has_location


def test_filters_fold_on_a_phone_and_stay_open_at_a_desk(page, new_context, login, worker_a):
    login(page, worker_a.username)
    page.goto("/tasks/")
    expect(page.get_by_test_id("task-filters")).to_be_visible()
    expect(page.get_by_test_id("filters-toggle")).to_have_count(0)
    phone = new_context(**PHONE).new_page()
    login(phone, worker_a.username)
    phone.goto("/tasks/")
    expect(phone.get_by_test_id("task-filters")).to_be_hidden()
    phone.get_by_test_id("filters-toggle").click()
    expect(phone.get_by_test_id("task-filters")).to_be_visible()
