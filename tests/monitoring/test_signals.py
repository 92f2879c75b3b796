"""Reports from outside (issue 19): what each kind does (a failed contact, an on-site
verification, both), once however often and however simultaneously it is posted, through the
page and the API alike; the reporter's phone masked and erased in time."""

import datetime
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ServiceError
from monitoring.kinds import SIGNAL_VERIFICATION
from monitoring.light import Light
from monitoring.models import ContactHealth, EnterpriseSignal, SignalKind
from monitoring.signals.services import signal_record
from outreach.models import ContactAttempt, Task
from registry import clock
from registry.retention import retention_run
from registry.timeline import enterprise_timeline
from tests.concurrency import at_once
from tests.monitoring.conftest import NOW, log
from tests.outreach.matters.files import image_bytes

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.usefixtures("clock")]

MOVED_OUT = "moved_out"  # seeded: a failed contact and a verification
MAIL_RETURNED = "mail_returned"  # seeded: a failed contact only
COURT_NOTICE = "court_police_notice"  # seeded: a verification only


@pytest.fixture(autouse=True)
def _seeded_kinds(db):
    """The migration's kinds, again: a transactional test before this one flushed them."""
    from django.apps import apps

    importlib.import_module("monitoring.migrations.0003_outside_signals").seed_kinds(apps, None)


def _kind(code: str) -> SignalKind:
    return SignalKind.objects.get(code=code)


def _report(enterprise, code=MOVED_OUT, *, by=None, minutes_ago=60, **extra):
    extra.setdefault("source_organisation", "浦江物业")
    extra.setdefault("source_name", "王经理")
    return signal_record(
        enterprise=enterprise,
        kind=_kind(code),
        observed_at=NOW - datetime.timedelta(minutes=minutes_ago),
        by=by,
        **extra,
    )


def _open_verifications(enterprise) -> int:
    return Task.objects.filter(
        enterprise=enterprise, kind=SIGNAL_VERIFICATION, status=Task.Status.OPEN
    ).count()


def test_the_seeded_kinds_are_those_of_the_practice():
    assert set(SignalKind.objects.values_list("code", flat=True)) == {
        "moved_out",
        "office_empty",
        "power_cut",
        "mail_returned",
        "signboard_removed",
        "court_police_notice",
        "other",
    }
    assert _kind(MOVED_OUT).name == "已搬离" and _kind(MAIL_RETURNED).name == "邮件退回"


def test_a_kind_that_counts_logs_a_failed_contact_that_moves_the_light(enterprise_a, staff_user):
    recorded = _report(enterprise_a, MAIL_RETURNED, by=staff_user, source_organisation="EMS")
    attempt = recorded.signal.attempt
    assert (attempt.channel, attempt.outcome) == (
        ContactAttempt.Channel.REPORT,
        ContactAttempt.Outcome.BOUNCED,
    )
    assert "邮件退回" in attempt.note
    assert ContactHealth.objects.get(enterprise=enterprise_a).consecutive_failures == 1
    assert recorded.signal.task is None and _open_verifications(enterprise_a) == 0


def test_a_report_is_logged_as_reported_unreachable_not_as_a_call_nobody_answered(
    enterprise_a, staff_user
):
    attempt = _report(enterprise_a, MOVED_OUT, by=staff_user).signal.attempt
    assert attempt.outcome == ContactAttempt.Outcome.REPORTED
    assert ContactHealth.objects.get(enterprise=enterprise_a).consecutive_failures == 1
    timeline = enterprise_timeline(enterprise=enterprise_a, user=staff_user)
    logged = [item for item in timeline if item.kind == "outreach.attempt"]
    text = " ".join(change.new for change in logged[0].changes)
    assert "他人反映联系不上" in text and "无人接听" not in text


def test_a_report_after_two_failed_calls_turns_the_firm_red(enterprise_a, staff_user):
    log(enterprise_a, by=staff_user, hours_ago=30)
    log(enterprise_a, by=staff_user, hours_ago=20)
    _report(enterprise_a, MOVED_OUT, by=staff_user)
    assert ContactHealth.objects.get(enterprise=enterprise_a).light == Light.RED


def test_a_kind_that_verifies_opens_a_task_for_the_grid_worker(enterprise_a, worker_a):
    recorded = _report(enterprise_a, COURT_NOTICE, source_organisation="区法院")
    task = recorded.signal.task
    assert (task.kind, task.assignee, task.suggested_channel) == (
        SIGNAL_VERIFICATION,
        worker_a,
        ContactAttempt.Channel.VISIT,
    )
    assert recorded.signal.attempt is None
    assert not ContactAttempt.objects.filter(enterprise=enterprise_a).exists()


def test_admins_decide_what_a_kind_does(enterprise_a):
    SignalKind.objects.filter(code=COURT_NOTICE).update(counts_as_failed_contact=True)
    SignalKind.objects.filter(code=MOVED_OUT).update(active=False)
    assert _report(enterprise_a, COURT_NOTICE).signal.attempt is not None
    with pytest.raises(ServiceError) as refused:
        _report(enterprise_a, MOVED_OUT)
    assert refused.value.field == "kind"


def test_the_same_report_twice_does_its_work_once(enterprise_a, staff_user):
    first = _report(enterprise_a, by=staff_user)
    again = _report(enterprise_a, by=staff_user)
    assert first.created and not again.created and again.signal == first.signal
    assert EnterpriseSignal.objects.count() == 1
    assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 1
    assert _open_verifications(enterprise_a) == 1


def test_another_source_is_another_report_but_the_task_opens_once(enterprise_a):
    _report(enterprise_a, source_name="王经理")
    _report(enterprise_a, source_name="快递员小李", source_organisation="顺丰")
    assert EnterpriseSignal.objects.count() == 2
    assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 2
    assert _open_verifications(enterprise_a) == 1


def test_reports_within_the_occasion_window_are_one_occasion(enterprise_a, settings):
    settings.MONITOR_OCCASION_WINDOW_HOURS = 4
    _report(enterprise_a, minutes_ago=90, source_name="王经理")
    _report(enterprise_a, minutes_ago=30, source_name="邻居")
    health = ContactHealth.objects.get(enterprise=enterprise_a)
    assert (health.light, health.consecutive_failures) == (Light.GREEN, 1)


def test_a_visit_answers_the_verification(enterprise_a, staff_user):
    _report(enterprise_a)
    log(enterprise_a, ContactAttempt.Outcome.NO_ANSWER, ContactAttempt.Channel.VISIT, by=staff_user)
    assert _open_verifications(enterprise_a) == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_report_posted_at_once_is_recorded_once(enterprise_a, staff_user):
    results, errors = at_once(lambda: _report(enterprise_a, by=staff_user).created, times=3)
    assert errors == [] and sorted(results) == [False, False, True]
    assert EnterpriseSignal.objects.count() == 1
    assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 1
    assert _open_verifications(enterprise_a) == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"source_name": "", "source_organisation": ""}, "source_name"),
        ({"source_phone": "12345"}, "source_phone"),
        ({"note": "很长" * 1001}, "note"),
        ({"minutes_ago": -60}, "observed_at"),
        ({"minutes_ago": 60 * 24 * 366 * 30}, "observed_at"),  # before 2000: the log's rule
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(enterprise_a, extra, field):
    with pytest.raises(ServiceError) as refused:
        _report(enterprise_a, **extra)
    assert refused.value.field == field
    assert not EnterpriseSignal.objects.exists() and not ContactAttempt.objects.exists()


def test_a_photo_must_really_be_an_image(enterprise_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("门口.png", image_bytes(), content_type="image/png")
    assert _report(enterprise_a, photo=photo).signal.photo_name == "门口.png"
    fake = SimpleUploadedFile("门口.png", b"<script>x</script>", content_type="image/png")
    with pytest.raises(ServiceError) as refused:
        _report(enterprise_a, photo=fake, source_name="别人")
    assert refused.value.field == "photo"


# --- The page ------------------------------------------------------------------------------


def test_a_grid_worker_reports_from_the_page_and_sees_it_on_the_enterprise(
    client, enterprise_a, worker_a
):
    client.force_login(worker_a)
    url = reverse("monitoring:signal_new", args=[enterprise_a.uscc])
    form = client.get(url)
    assert form.status_code == 200 and "已搬离" in form.content.decode()
    data = {
        "kind": _kind(MOVED_OUT).pk,
        "observed_at": "2026-11-24T08:30",
        "source_organisation": "浦江物业",
        "source_name": "王经理",
        "source_phone": "13611112222",
        "note": "门口堆满垃圾",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("#h-signals")
    assert client.post(url, data).status_code == 302  # twice: still one
    assert EnterpriseSignal.objects.count() == 1
    page = client.get(reverse("registry:enterprise", args=[enterprise_a.uscc])).content.decode()
    assert "门口堆满垃圾" in page and "136****2222" in page and "13611112222" not in page


def test_the_page_shows_a_refusal_beside_its_field(client, enterprise_a, worker_a):
    client.force_login(worker_a)
    url = reverse("monitoring:signal_new", args=[enterprise_a.uscc])
    response = client.post(url, {"kind": _kind(MOVED_OUT).pk, "observed_at": "2026-11-24T08:30"})
    assert response.status_code == 400
    assert 'data-testid="error-source_name"' in response.content.decode()


def test_the_timeline_shows_the_report_with_the_phone_masked(enterprise_a, staff_user):
    _report(enterprise_a, source_phone="13611112222", note="电话 13611112222 已停机")
    timeline = enterprise_timeline(enterprise=enterprise_a, user=staff_user)
    items = [item for item in timeline if item.kind == "monitoring.signal"]
    assert len(items) == 1 and "已搬离" in items[0].title
    text = items[0].door + " ".join(c.new for c in items[0].changes)
    assert "13611112222" not in text and "136****2222" in text


# --- The API -------------------------------------------------------------------------------


def _body(of, **extra):
    return {
        "enterprise": of.uscc,
        "kind": MOVED_OUT,
        "observed_at": "2026-11-24T08:30:00+08:00",
        "source_organisation": "浦江物业",
        "source_phone": "13611112222",
        **extra,
    }


def test_a_property_companys_system_posts_a_report_once(api, enterprise_a, staff_user):
    first = api(staff_user).post("/api/signals/", _body(enterprise_a), format="json")
    again = api(staff_user).post("/api/signals/", _body(enterprise_a), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["source_phone"] == "136****2222"
    assert first.json()["counted_as_failed_contact"] is True
    assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 1
    assert _open_verifications(enterprise_a) == 1


def test_the_same_report_again_keeps_what_it_adds_and_counts_nothing_more(
    api, enterprise_a, staff_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = api(staff_user).post("/api/signals/", _body(enterprise_a, note="门已锁"), format="json")
    photo = SimpleUploadedFile("门牌.png", image_bytes(), content_type="image/png")
    again = api(staff_user).post(
        "/api/signals/",
        _body(enterprise_a, note="邻居说上月已搬走", photo=photo),
        format="multipart",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["note"] == "门已锁\n邻居说上月已搬走"
    assert again.json()["has_photo"] is True
    assert ContactAttempt.objects.filter(enterprise=enterprise_a).count() == 1
    assert _open_verifications(enterprise_a) == 1


def test_the_api_takes_a_photo_but_not_a_document_posing_as_one(
    api, enterprise_a, staff_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")
    refused = api(staff_user).post(
        "/api/signals/", _body(enterprise_a, photo=pdf), format="multipart"
    )
    assert refused.status_code == 400 and "photo" in refused.json()["errors"]
    assert not EnterpriseSignal.objects.exists()
    photo = SimpleUploadedFile("门牌.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    taken = api(staff_user).post(
        "/api/signals/", _body(enterprise_a, photo=photo), format="multipart"
    )
    assert taken.status_code == 201 and taken.json()["has_photo"] is True
    assert EnterpriseSignal.objects.get().photo_name.endswith(".jpg")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "no_such_kind"}, "kind"),
        ({"enterprise": "91310000000000000X"}, "enterprise"),
        ({"observed_at": "昨天"}, "observed_at"),
        ({"source_phone": "12345"}, "source_phone"),
        ({"source_organisation": ""}, "source_name"),
    ],
)
def test_the_api_names_the_bad_field(api, enterprise_a, staff_user, extra, field):
    response = api(staff_user).post("/api/signals/", _body(enterprise_a, **extra), format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not EnterpriseSignal.objects.exists()


def test_a_grid_worker_of_another_grid_cannot_report_on_it(api, enterprise_a, worker_b):
    response = api(worker_b).post("/api/signals/", _body(enterprise_a), format="json")
    assert response.status_code == 400 and "enterprise" in str(response.json())


def test_an_auditor_may_not_report(api, enterprise_a, auditor):
    assert api(auditor).post("/api/signals/", _body(enterprise_a), format="json").status_code == 403


# --- Retention -----------------------------------------------------------------------------


def test_the_reporters_phone_is_erased_with_the_retention_period(enterprise_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = _report(enterprise_a, source_phone="13611112222", minutes_ago=60 * 24 * 365 * 4)
    new = _report(enterprise_a, source_phone="13611113333", source_name="邻居")
    retention_run(now=clock.now())
    old.signal.refresh_from_db()
    new.signal.refresh_from_db()
    assert (old.signal.source_phone, new.signal.source_phone) == ("", "13611113333")
    assert old.signal.kind.code == MOVED_OUT  # what was reported stays


# --- The admins' page of kinds -------------------------------------------------------------


def test_park_admins_configure_the_kinds_in_the_admin(client, admin_user, staff_user):
    kind = _kind(MAIL_RETURNED)
    url = reverse("admin:monitoring_signalkind_change", args=[kind.pk])
    client.force_login(staff_user)
    assert client.get(url).status_code in (302, 403)
    client.force_login(admin_user)
    page = client.get(reverse("admin:monitoring_signalkind_changelist"))
    assert page.status_code == 200 and "邮件退回" in page.content.decode()
    response = client.post(
        url,
        {
            "code": kind.code,
            "name": kind.name,
            "counts_as_failed_contact": "on",
            "opens_verification": "on",
            "active": "on",
            "order": kind.order,
        },
    )
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.opens_verification
