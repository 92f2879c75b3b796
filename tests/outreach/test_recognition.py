"""The yearly recognition (issue 20): who is proposed for 2026 and who is not and why, the
admin's confirmation, the once-only thanks, the certificates read back from the PDF, the
page's masking, and the enterprise's timeline."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.recognition import rules
from outreach.recognition.models import RecognitionEntry
from outreach.recognition.services import (
    PURPOSE,
    recognition_confirm,
    recognition_propose,
    register_attendance,
    unregister_attendance,
)
from outreach.recognition.tasks import recognition_propose_task
from registry.models import Door
from registry.services import liaison_mark_verified, liaison_update
from registry.timeline import enterprise_timeline
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.conftest import at

pytestmark = pytest.mark.django_db

YEAR = 2026
JANUARY = datetime.date(2027, 1, 10)
Outcome, Channel = ContactAttempt.Outcome, ContactAttempt.Channel


def attempt(liaison, day, outcome=Outcome.REACHED, verified=False):
    return ContactAttempt.objects.create(
        enterprise=liaison.enterprise,
        liaison=liaison,
        channel=Channel.PHONE,
        outcome=outcome,
        verified=verified,
        occurred_at=at(day),
    )


def upkept(name, *, key=False, **liaison):
    """A liaison of the whole year, verified in each half (each quarter for a key one)."""
    enterprise = EnterpriseFactory(name=f"{name}的公司", key_taxpayer=key)
    person = LiaisonFactory(enterprise=enterprise, name=name, **liaison)
    months = (2, 5, 8, 11) if key else (3, 9)
    for month in months:
        attempt(person, datetime.date(YEAR, month, 10), verified=True)
    return person


def propose(**kwargs):
    with time_machine.travel(at(JANUARY), tick=False):
        round_ = recognition_propose(year=YEAR, **kwargs)
    return {e.liaison.name: e.reasons for e in round_.entries.select_related("liaison")}


def test_a_year_of_error_free_upkeep_is_proposed():
    upkept("王芳")
    upkept("李强", key=True)
    assert propose() == {"王芳": [], "李强": []}


def test_a_period_without_verification_is_a_reason():
    general = upkept("王芳")
    key = upkept("李强", key=True)
    ContactAttempt.objects.filter(liaison=general, occurred_at__month=9).delete()
    # A key enterprise is contacted every quarter: a missed quarter counts though both
    # halves were verified.
    ContactAttempt.objects.filter(liaison=key, occurred_at__month=5).delete()
    assert propose() == {"王芳": [rules.UNVERIFIED_PERIOD], "李强": [rules.UNVERIFIED_PERIOD]}


def test_two_failed_contacts_in_a_row_are_a_streak_one_is_not():
    streak, single = upkept("王芳"), upkept("李强")
    attempt(streak, datetime.date(YEAR, 4, 1), Outcome.NO_ANSWER)
    attempt(streak, datetime.date(YEAR, 4, 2), Outcome.BUSY)
    attempt(single, datetime.date(YEAR, 4, 1), Outcome.NO_ANSWER)
    attempt(single, datetime.date(YEAR, 4, 2), Outcome.REACHED)
    attempt(single, datetime.date(YEAR, 4, 3), Outcome.NO_ANSWER)
    # A welcome SMS (no answer awaited) neither breaks nor makes a streak.
    attempt(single, datetime.date(YEAR, 4, 4), Outcome.SENT)
    assert propose() == {"王芳": [rules.FAILED_STREAK], "李强": []}


def test_a_correction_by_staff_is_a_reason_a_change_by_the_liaison_is_not(staff_user):
    corrected, reported = upkept("王芳"), upkept("李强")
    with time_machine.travel(at(datetime.date(YEAR, 6, 1)), tick=False):
        liaison_update(liaison=corrected, by=staff_user, door=Door.STAFF, position="行政主管")
        liaison_update(liaison=reported, by=None, door=Door.SELF_SERVICE, position="财务经理")
        # A verification stamped by staff corrects nothing.
        liaison_mark_verified(liaison=reported, by=staff_user, door=Door.STAFF)
    assert propose() == {"王芳": [rules.STAFF_CORRECTION], "李强": []}


def test_a_staff_correction_of_another_year_does_not_count(staff_user):
    person = upkept("王芳")
    with time_machine.travel(at(datetime.date(YEAR - 1, 6, 1)), tick=False):
        liaison_update(liaison=person, by=staff_user, door=Door.STAFF, position="行政主管")
    assert propose() == {"王芳": []}


def test_a_change_the_park_found_is_not_one_the_liaison_reported():
    person = upkept("王芳")
    attempt(person, datetime.date(YEAR, 7, 1), Outcome.NOT_IN_SERVICE)
    assert propose() == {"王芳": [rules.UNREPORTED_CHANGE]}


def test_a_liaison_who_started_during_the_year_is_not_proposed_and_a_past_one_not_listed():
    upkept("王芳", started_on=datetime.date(YEAR, 2, 1))
    upkept("李强", ended_on=datetime.date(YEAR, 10, 1))
    assert propose() == {"王芳": [rules.PARTIAL_YEAR]}


def test_every_reason_at_once_is_listed(staff_user):
    person = LiaisonFactory(name="王芳", started_on=datetime.date(YEAR, 3, 1))
    attempt(person, datetime.date(YEAR, 4, 1), Outcome.WRONG_PERSON)
    attempt(person, datetime.date(YEAR, 4, 2), Outcome.NO_ANSWER)
    with time_machine.travel(at(datetime.date(YEAR, 6, 1)), tick=False):
        liaison_update(liaison=person, by=staff_user, door=Door.STAFF, name="王芳芳")
    assert propose() == {
        "王芳芳": [
            rules.PARTIAL_YEAR,
            rules.UNVERIFIED_PERIOD,
            rules.FAILED_STREAK,
            rules.STAFF_CORRECTION,
            rules.UNREPORTED_CHANGE,
        ]
    }


def test_attending_an_event_is_a_rule_only_when_the_setting_says_so():
    went, stayed = upkept("王芳"), upkept("李强")

    def attendance(year):
        return [went.pk] if year == YEAR else []

    register_attendance(attendance)
    try:
        assert propose() == {"王芳": [], "李强": []}
        with override_settings(RECOGNITION_REQUIRE_EVENT=True):
            assert propose() == {"王芳": [], "李强": [rules.NO_EVENT]}
    finally:
        unregister_attendance(attendance)
    assert stayed.pk != went.pk


def test_a_year_not_over_cannot_be_proposed():
    with (
        time_machine.travel(at(datetime.date(YEAR, 12, 31)), tick=False),
        pytest.raises(ValidationError),
    ):
        recognition_propose(year=YEAR)


def test_the_beat_task_proposes_last_year_and_leaves_a_confirmed_list(admin_user):
    upkept("王芳")
    with time_machine.travel(at(JANUARY), tick=False):
        assert recognition_propose_task() == YEAR
        recognition_confirm(year=YEAR, liaison_ids=[], by=admin_user)
        assert recognition_propose_task() is None
    assert RecognitionEntry.objects.filter(round__year=YEAR).count() == 1


def confirmed(admin_user, *people):
    propose()
    with time_machine.travel(at(JANUARY), tick=False):
        return recognition_confirm(year=YEAR, liaison_ids=[p.pk for p in people], by=admin_user)


def test_confirming_records_who_and_when_and_thanks_each_once(admin_user):
    one, two, left_out = upkept("王芳"), upkept("李强"), upkept("赵敏")
    assert confirmed(admin_user, one, two) == 2
    entry = RecognitionEntry.objects.select_related("round").get(liaison=one)
    assert entry.round.confirmed_by == admin_user
    assert entry.round.confirmed_at == at(JANUARY)
    assert not RecognitionEntry.objects.get(liaison=left_out).confirmed
    thanks = OutboxMessage.objects.filter(purpose=PURPOSE)
    assert sorted(thanks.values_list("enterprise_id", flat=True)) == sorted(
        [one.enterprise_id, two.enterprise_id]
    )
    assert "零差错" in thanks.first().body
    # Once per liaison and year: a second confirmation is refused, a re-proposal too.
    with time_machine.travel(at(JANUARY), tick=False):
        with pytest.raises(ValidationError):
            recognition_confirm(year=YEAR, liaison_ids=[one.pk], by=admin_user)
        with pytest.raises(ValidationError):
            recognition_propose(year=YEAR)
    assert thanks.count() == 2


def test_only_proposed_liaisons_can_be_confirmed(admin_user):
    good, bad = upkept("王芳"), upkept("李强", started_on=datetime.date(YEAR, 5, 1))
    propose()
    with pytest.raises(ValidationError):
        recognition_confirm(year=YEAR, liaison_ids=[good.pk, bad.pk], by=admin_user)
    assert not RecognitionEntry.objects.filter(confirmed=True).exists()


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


@override_settings(PARK_NAME="张江高新区企业服务中心")
def test_the_certificates_name_the_liaison_and_the_park(client, admin_user):
    one, two = upkept("王芳"), upkept("李强")
    confirmed(admin_user, one, two)
    client.force_login(admin_user)
    single = client.get(reverse("outreach:recognition_certificate", args=[YEAR, one.pk]))
    assert single["Content-Type"] == "application/pdf"
    [page] = pdf_text(single.content)
    assert "王芳" in page and "张江高新区企业服务中心" in page and "王芳的公司" in page
    everyone = client.get(reverse("outreach:recognition_certificates", args=[YEAR]))
    pages = pdf_text(everyone.content)
    assert len(pages) == 2
    assert sorted(name for name in ("王芳", "李强") for page in pages if name in page) == [
        "李强",
        "王芳",
    ]


def test_a_missing_font_is_said_plainly(client, admin_user, settings):
    import reportlab.pdfbase.pdfmetrics as pdfmetrics

    from outreach.recognition import certificate

    one = upkept("王芳")
    confirmed(admin_user, one)
    settings.RECOGNITION_FONT = "/nonexistent/wqy-microhei.ttc"
    registered = pdfmetrics._fonts.pop(certificate.FONT_NAME, None)
    try:
        client.force_login(admin_user)
        response = client.get(reverse("outreach:recognition_certificate", args=[YEAR, one.pk]))
    finally:
        if registered is not None:
            pdfmetrics._fonts[certificate.FONT_NAME] = registered
    assert response.status_code == 503
    assert "fonts-wqy-microhei" in response.content.decode()


def test_no_certificate_for_a_liaison_not_confirmed(client, admin_user):
    one, two = upkept("王芳"), upkept("李强")
    confirmed(admin_user, one)
    client.force_login(admin_user)
    url = reverse("outreach:recognition_certificate", args=[YEAR, two.pk])
    assert client.get(url).status_code == 404


def test_the_page_shows_the_reasons_and_masks_mobiles(client, auditor, admin_user):
    upkept("王芳", mobile="13912345678")
    upkept("李强", mobile="13898765432", started_on=datetime.date(YEAR, 5, 1))
    propose()
    for user in (auditor, admin_user):
        client.force_login(user)
        page = client.get(reverse("outreach:recognition"), {"year": YEAR}).content.decode()
        assert "王芳" in page and "李强" in page
        assert str(rules.REASONS[rules.PARTIAL_YEAR]) in page or "整年" in page
        assert "13912345678" not in page and "13898765432" not in page
    # Only the admin may confirm: the auditor sees no tick boxes.
    client.force_login(auditor)
    assert 'name="liaison"' not in client.get(reverse("outreach:recognition")).content.decode()


def test_the_admin_confirms_on_the_page(client, admin_user):
    one, two = upkept("王芳"), upkept("李强")
    propose()
    client.force_login(admin_user)
    response = client.post(
        reverse("outreach:recognition_confirm", args=[YEAR]), {"liaison": [str(one.pk)]}
    )
    assert response.status_code == 302
    confirmed_ids = RecognitionEntry.objects.filter(confirmed=True).values_list("liaison_id")
    assert [pk for (pk,) in confirmed_ids] == [one.pk] != [two.pk]
    bad = client.post(reverse("outreach:recognition_confirm", args=[YEAR]), {"liaison": ["x"]})
    assert bad.status_code == 302


def test_the_recognition_is_on_the_enterprises_timeline(admin_user):
    one = upkept("王芳")
    confirmed(admin_user, one)
    items = enterprise_timeline(enterprise=one.enterprise, user=admin_user)
    assert any(item.kind == "outreach.recognition" and str(YEAR) in item.title for item in items)


def test_admins_find_the_page_in_the_menu(client, admin_user):
    client.force_login(admin_user)
    home = client.get(reverse("registry:enterprises")).content.decode()
    assert reverse("outreach:recognition") in home
    assert "优秀联络员表彰" in client.get(reverse("outreach:recognition")).content.decode()
