"""In the field: the call's one-tap outcome, today's round by building or street, a visit's
photo and location (走访打卡), the printable visit sheet, and who sees what of them."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core.errors import ServiceError
from outreach.models import ContactAttempt, Task, VisitEvidence
from outreach.rounds import my_round, round_groups
from outreach.services import task_open, visit_location_parse, visit_record
from registry import clock
from registry.models import Building, Enterprise, SensitiveView
from registry.retention import retention_run
from tests.factories import EnterpriseFactory, LiaisonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg(name="门牌.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _task(enterprise, *, assignee, due_on=None, kind=Task.Kind.ROUTINE):
    task = task_open(
        enterprise=enterprise,
        kind=kind,
        source=Task.Source.PLAN,
        due_on=due_on or clock.today(),
    )
    Task.objects.filter(pk=task.pk).update(assignee=assignee)
    return task


# --- The call's outcome --------------------------------------------------------------------


def test_revealing_a_liaisons_mobile_gives_a_number_to_tap_and_logs_the_view(
    client, worker_a, enterprise_a
):
    client.force_login(worker_a)
    liaison = enterprise_a.current_liaison
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()
    assert "tel:" not in page  # masked numbers are never links
    assert 'data-testid="call-liaison-mobile"' in page
    response = client.post(
        reverse("registry:reveal", args=[enterprise_a.uscc, "liaison", "mobile"]),
        {"id": liaison.pk},
    )
    assert 'href="tel:13912345678"' in response.content.decode()
    assert SensitiveView.objects.filter(user=worker_a, record="liaison", field="mobile").exists()


def test_one_tap_logs_the_call_about_the_liaison_called(client, worker_a, enterprise_a):
    client.force_login(worker_a)
    liaison = enterprise_a.current_liaison
    url = reverse("outreach:call_outcome", args=[enterprise_a.uscc])
    offered = client.get(url, {"liaison": liaison.pk}).content.decode()
    assert "无人接听" in offered and "空号" in offered
    response = client.post(url, {"outcome": "no_answer", "liaison": liaison.pk})
    assert response.status_code == 200
    assert "已记录" in response.content.decode()
    attempt = ContactAttempt.objects.get(enterprise=enterprise_a)
    assert (attempt.channel, attempt.outcome, attempt.liaison, attempt.by) == (
        "phone",
        "no_answer",
        liaison,
        worker_a,
    )


def test_a_call_outcome_that_is_no_calls_is_refused_and_nothing_is_logged(
    client, worker_a, enterprise_a
):
    client.force_login(worker_a)
    url = reverse("outreach:call_outcome", args=[enterprise_a.uscc])
    assert client.post(url, {"outcome": "sent"}).status_code == 400
    assert client.post(url, {"outcome": "reached", "liaison": "999999"}).status_code == 404
    assert not ContactAttempt.objects.exists()


def test_auditors_and_other_grids_log_no_calls(client, auditor, worker_b, enterprise_a):
    url = reverse("outreach:call_outcome", args=[enterprise_a.uscc])
    for user in (auditor, worker_b):
        client.force_login(user)
        assert client.post(url, {"outcome": "reached"}).status_code in (403, 404)
    assert not ContactAttempt.objects.exists()


# --- Today's round ---------------------------------------------------------------------------


def test_the_round_groups_stops_by_building_then_street_in_house_number_order(grid_a):
    building = Building.objects.create(name="虹口SOHO", address="四川北路999号", grid=grid_a)
    in_building = EnterpriseFactory(grid=grid_a, registered_address="四川北路999号5楼")
    Enterprise.objects.filter(pk=in_building.pk).update(building=building)
    in_building.refresh_from_db()
    far = EnterpriseFactory(grid=grid_a, registered_address="上海市虹口区曲阳路1000号")
    near = EnterpriseFactory(grid=grid_a, registered_address="上海市虹口区曲阳路88号")
    nowhere = EnterpriseFactory(grid=grid_a, registered_address="某某园区")
    tasks = [
        Task(enterprise=e, kind="routine", due_on=clock.today())
        for e in (far, nowhere, in_building, near)
    ]
    tasks.append(Task(enterprise=near, kind="recheck_call", due_on=clock.today()))
    groups = round_groups(tasks)
    titles = [(g.kind, g.title) for g in groups][:2]
    assert titles == [("building", "虹口SOHO"), ("street", "曲阳路")]
    assert [g.kind for g in groups][2:] == ["other"]
    assert [stop.enterprise for stop in groups[1].stops] == [near, far]
    assert len(groups[1].stops[0].tasks) == 2  # one stop per enterprise


def test_my_round_is_my_own_tasks_due_by_today(staff_user, worker_a, grid_a, enterprise_a):
    today = clock.today()
    mine = _task(enterprise_a, assignee=worker_a, due_on=today - datetime.timedelta(days=3))
    later = EnterpriseFactory(grid=grid_a)
    _task(later, assignee=worker_a, due_on=today + datetime.timedelta(days=30))
    others = EnterpriseFactory(grid=grid_a)
    _task(others, assignee=staff_user)
    round_ = my_round(user=worker_a, today=today)
    stops = [stop for group in round_.groups for stop in group.stops]
    assert [stop.tasks for stop in stops] == [[mine]]
    assert stops[0].liaison == enterprise_a.current_liaison


def test_the_round_page_shows_a_call_button_never_a_number(client, worker_a, enterprise_a):
    _task(enterprise_a, assignee=worker_a)
    client.force_login(worker_a)
    page = client.get(reverse("outreach:round")).content.decode()
    assert enterprise_a.name in page
    assert "139****5678" in page and "13912345678" not in page
    assert 'data-testid="call-liaison-mobile"' in page


# --- A visit's photo and location ----------------------------------------------------------


def test_a_visit_keeps_its_photo_and_location_as_evidence(worker_a, enterprise_a):
    location = visit_location_parse("31.2304", "121.4737", "12.4")
    attempt = visit_record(
        enterprise=enterprise_a, outcome="reached", by=worker_a, photo=_jpeg(), location=location
    )
    evidence = VisitEvidence.objects.get(attempt=attempt)
    assert attempt.channel == ContactAttempt.Channel.VISIT
    assert evidence.photo_name == "门牌.jpg" and evidence.photo_type == "image/jpeg"
    assert evidence.photo.name.startswith("visits/")
    assert (str(evidence.latitude), str(evidence.longitude), evidence.accuracy_m) == (
        "31.230400",
        "121.473700",
        12,
    )


def test_the_photo_is_kept_without_the_place_the_phone_wrote_into_it(worker_a, enterprise_a):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 13.0, 49.0)}  # GPSInfo: where the phone was
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG", exif=exif)
    photo = SimpleUploadedFile("门牌.jpg", out.getvalue(), content_type="image/jpeg")
    assert Image.open(io.BytesIO(out.getvalue())).getexif()
    attempt = visit_record(enterprise=enterprise_a, outcome="reached", by=worker_a, photo=photo)
    with VisitEvidence.objects.get(attempt=attempt).photo.open("rb") as stored:
        kept = Image.open(io.BytesIO(stored.read()))
        assert kept.size == (40, 30) and not kept.getexif()


def test_a_photo_that_is_no_picture_is_refused_and_nothing_is_written(worker_a, enterprise_a):
    fake = SimpleUploadedFile("门牌.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ServiceError) as refused:
        visit_record(enterprise=enterprise_a, outcome="reached", by=worker_a, photo=fake)
    assert refused.value.field == "photo"
    assert not ContactAttempt.objects.exists() and not VisitEvidence.objects.exists()


@pytest.mark.parametrize(
    ("lat", "lon", "acc"), [("91", "121", ""), ("31", "181", ""), ("x", "121", ""), ("31", "", "")]
)
def test_a_location_that_is_no_place_is_refused(lat, lon, acc):
    with pytest.raises(ServiceError):
        visit_location_parse(lat, lon, acc)


def _visit_form(**extra):
    return {
        "channel": "visit",
        "outcome": "reached",
        "occurred_at": clock.local().strftime("%Y-%m-%dT%H:%M"),
        "latitude": "31.230400",
        "longitude": "121.473700",
        "accuracy": "8",
        **extra,
    }


def test_the_location_is_kept_only_with_the_workers_consent(client, worker_a, enterprise_a):
    client.force_login(worker_a)
    url = reverse("outreach:attempt_new", args=[enterprise_a.uscc])
    assert client.post(url, _visit_form(photo=_jpeg())).status_code == 302
    evidence = VisitEvidence.objects.get()
    assert evidence.photo and not evidence.has_location  # no consent ticked: no place kept
    assert client.post(url, _visit_form(share_location="on")).status_code == 302
    assert VisitEvidence.objects.filter(latitude__isnull=False).count() == 1


def test_a_photo_with_a_phone_call_is_refused(client, worker_a, enterprise_a):
    client.force_login(worker_a)
    url = reverse("outreach:attempt_new", args=[enterprise_a.uscc])
    response = client.post(url, _visit_form(channel="phone", photo=_jpeg()))
    assert response.status_code == 400
    assert not ContactAttempt.objects.exists()


def test_the_timeline_shows_the_evidence_to_those_who_may_see_it(
    client, worker_a, auditor, enterprise_a
):
    attempt = visit_record(
        enterprise=enterprise_a,
        outcome="reached",
        by=worker_a,
        photo=_jpeg(),
        location=visit_location_parse("31.2304", "121.4737", "12"),
    )
    photo_url = reverse("outreach:visit_photo", args=[attempt.pk])
    page_url = reverse("registry:enterprise", args=[enterprise_a.uscc])
    client.force_login(worker_a)
    page = client.get(page_url).content.decode()
    assert photo_url in page and "geo:31.230400,121.473700" in page
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    client.force_login(auditor)
    page = client.get(page_url).content.decode()
    assert photo_url not in page and "geo:" not in page
    assert client.get(photo_url).status_code == 404


def test_other_grids_never_get_the_photo(client, worker_a, worker_b, enterprise_a):
    attempt = visit_record(enterprise=enterprise_a, outcome="reached", by=worker_a, photo=_jpeg())
    client.force_login(worker_b)
    assert client.get(reverse("outreach:visit_photo", args=[attempt.pk])).status_code == 404


def test_the_evidence_is_emptied_once_past_keeping(settings, worker_a, enterprise_a):
    settings.EVIDENCE_KEEP_YEARS = 1
    long_ago = clock.now() - datetime.timedelta(days=800)
    old = visit_record(
        enterprise=enterprise_a,
        outcome="reached",
        by=worker_a,
        occurred_at=long_ago,
        photo=_jpeg(),
        location=visit_location_parse("31.2", "121.4"),
    )
    recent = visit_record(enterprise=enterprise_a, outcome="reached", by=worker_a, photo=_jpeg())
    path = VisitEvidence.objects.get(pk=old.pk).photo.path
    counts = retention_run(now=clock.now())
    assert counts["visit_evidence"] == 1
    gone = VisitEvidence.objects.get(pk=old.pk)
    assert not gone.photo and not gone.has_location
    assert VisitEvidence.objects.get(pk=recent.pk).photo
    import os

    assert not os.path.exists(path)
    assert ContactAttempt.objects.filter(pk=old.pk).exists()  # the visit itself stays


# --- The visit sheet ---------------------------------------------------------------------------


def _sheet_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_visit_sheet_lists_the_round_with_masked_numbers(client, worker_a, enterprise_a):
    Enterprise.objects.filter(pk=enterprise_a.pk).update(
        registered_address="上海市虹口区四川北路1000号"
    )
    _task(enterprise_a, assignee=worker_a)
    client.force_login(worker_a)
    text = _sheet_text(client.get(reverse("outreach:round_sheet")))
    compact = text.replace(" ", "").replace("\n", "")
    assert "上海甲乙科技有限公司" in compact
    assert "四川北路1000号" in compact
    assert "139****5678" in compact and "13912345678" not in compact
    assert "签名" in compact
    assert not SensitiveView.objects.exists()


def test_full_numbers_on_the_sheet_are_logged_per_liaison(client, worker_a, enterprise_a):
    _task(enterprise_a, assignee=worker_a)
    client.force_login(worker_a)
    text = _sheet_text(client.get(reverse("outreach:round_sheet"), {"numbers": "full"}))
    assert "13912345678" in text.replace(" ", "")
    view = SensitiveView.objects.get()
    assert (view.enterprise, view.channel, view.fields) == (
        enterprise_a,
        SensitiveView.Channel.EXPORT,
        ["liaison.mobile"],
    )


def test_an_empty_round_still_prints(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("outreach:round_sheet"))
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


# --- Number pads ------------------------------------------------------------------------------


def test_phone_inputs_bring_up_the_number_pad(client, worker_a, enterprise_a):
    client.force_login(worker_a)
    page = client.get(reverse("registry:liaison_edit", args=[enterprise_a.uscc])).content.decode()
    assert 'name="mobile"' in page
    for name in ("mobile", "landline"):
        start = page.index(f'name="{name}"')
        tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
        assert 'inputmode="tel"' in tag and 'type="tel"' in tag


def test_second_liaison_factory_keeps_its_own_mobile(grid_a):
    # The round reads current liaisons in one query, whatever their number.
    enterprise = EnterpriseFactory(grid=grid_a)
    LiaisonFactory(enterprise=enterprise, mobile="13800000001")
    assert enterprise.current_liaison.mobile == "13800000001"


def test_every_plain_phone_input_brings_up_the_number_pad():
    from monitoring.signals.forms import SignalForm
    from outreach.matters.forms import MatterIntakeForm
    from outreach.selfservice.forms import CorrectForm, LeavingForm

    fields = [
        (CorrectForm, ("mobile", "landline", "emergency_phone")),
        (LeavingForm, ("successor_mobile",)),
        (MatterIntakeForm, ("requester_phone",)),
        (SignalForm, ("source_phone",)),
    ]
    for form, names in fields:
        for name in names:
            widget = form.base_fields[name].widget
            assert (widget.attrs.get("inputmode"), widget.input_type) == ("tel", "tel"), name
