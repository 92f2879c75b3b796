"""Holiday years admins enter: the lines and CSV files they come as, the writes, the pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.errors import ServiceError
from registry.holidays import (
    HolidayRow,
    holiday_file_text,
    holiday_rows_parse,
    holiday_rows_text,
    holiday_year_save,
)
from registry.models import HolidayDay, HolidayYear

D = datetime.date
HOLIDAY, WORKDAY = HolidayDay.Kind.HOLIDAY, HolidayDay.Kind.WORKDAY
NOTICE = "国办发明电〔2026〕7号"

GOOD_CSV = """日期,类型,名称
2027-01-01,休,元旦
2027/2/7,班,春节

2027-02-10,假,春节
2027-02-11,holiday,春节
2027-02-20,Workday,春节
2027年10月1日,休,国庆节
"""


def _messages(error: ValidationError) -> list[str]:
    with translation.override("zh-hans"):
        return [str(message) for message in error.messages]


@pytest.fixture(autouse=True)
def _in_chinese():
    # The parser builds its messages in the active language when it raises: an earlier test
    # that left another language active must not change what these tests read.
    with translation.override("zh-hans"):
        yield


def test_every_way_of_writing_a_day_is_read():
    rows = holiday_rows_parse(GOOD_CSV, year=2027)
    assert rows == [
        HolidayRow(D(2027, 1, 1), HOLIDAY, "元旦"),
        HolidayRow(D(2027, 2, 7), WORKDAY, "春节"),
        HolidayRow(D(2027, 2, 10), HOLIDAY, "春节"),
        HolidayRow(D(2027, 2, 11), HOLIDAY, "春节"),
        HolidayRow(D(2027, 2, 20), WORKDAY, "春节"),
        HolidayRow(D(2027, 10, 1), HOLIDAY, "国庆节"),
    ]


def test_the_name_may_be_left_out_and_full_width_or_pasted_lines_are_read():
    assert holiday_rows_parse("２０２７-05-01，休\n2027-05-06\t班\t劳动节", year=2027) == [
        HolidayRow(D(2027, 5, 1), HOLIDAY, ""),
        HolidayRow(D(2027, 5, 6), WORKDAY, "劳动节"),
    ]


def test_every_bad_line_is_named_in_chinese():
    text = (
        "日期,类型,名称\n"
        "2027-01-01,休,元旦\n"
        "2027-13-01,休,春节\n"  # line 3: no such month
        "2026-12-31,休,元旦\n"  # line 4: another year
        "2027-01-01,班,元旦\n"  # line 5: twice
        "2027-02-10,放,春节\n"  # line 6: unknown kind
        "2027-02-11\n"  # line 7: one column
    )
    with pytest.raises(ValidationError) as caught:
        holiday_rows_parse(text, year=2027)
    messages = _messages(caught.value)
    assert messages == [
        "第3行：“2027-13-01”不是日期，请写成 2027-01-01 的格式。",
        "第4行：2026-12-31 不在2027年内。",
        "第5行：2027-01-01 与第2行重复。",
        "第6行：“放”既不是放假也不是调休上班，请填写 休、假 或 holiday，或者 班 或 workday。",
        "第7行：应为三列（日期、休/班、名称），实为 1 列。",
    ]


def test_an_empty_arrangement_is_refused():
    with pytest.raises(ValidationError) as caught:
        holiday_rows_parse("日期,类型,名称\n\n", year=2027)
    assert _messages(caught.value) == ["没有任何日期：请至少录入一个放假日。"]


def test_a_csv_file_from_excel_is_read_as_utf8_with_bom_or_gbk():
    assert holiday_file_text("2027-01-01,休,元旦".encode("utf-8-sig")) == "2027-01-01,休,元旦"
    assert holiday_file_text("2027-01-01,休,元旦".encode("gbk")) == "2027-01-01,休,元旦"
    with pytest.raises(ValidationError):
        holiday_file_text(b"x" * (64 * 1024 + 1))


@pytest.mark.django_db
def test_saving_a_year_replaces_its_days_and_records_who(admin_user, staff_user):
    holiday_year_save(
        year=2027,
        notice=NOTICE,
        days=holiday_rows_parse(GOOD_CSV, year=2027),
        by=staff_user,
    )
    entry = holiday_year_save(
        year=2027,
        notice="国办发明电〔2026〕8号",
        days=[HolidayRow(D(2027, 1, 1), HOLIDAY, "元旦")],
        by=admin_user,
    )
    entry.refresh_from_db()
    assert (entry.notice, entry.entered_by) == ("国办发明电〔2026〕8号", admin_user)
    assert entry.entered_at is not None
    assert list(entry.days.values_list("date", "kind", "name")) == [
        (D(2027, 1, 1), HOLIDAY, "元旦")
    ]
    assert HolidayYear.objects.count() == 1


@pytest.mark.django_db
def test_a_new_year_does_not_overwrite_an_entered_one(admin_user):
    day = HolidayRow(D(2027, 1, 1), HOLIDAY, "元旦")
    holiday_year_save(year=2027, notice=NOTICE, days=[day], by=admin_user)
    with pytest.raises(ServiceError) as caught:
        holiday_year_save(year=2027, notice=NOTICE, days=[day], by=admin_user, new=True)
    assert caught.value.field == "year"


@pytest.mark.django_db
def test_the_service_refuses_days_of_another_year_whichever_door(admin_user):
    with pytest.raises(ServiceError):
        holiday_year_save(
            year=2027,
            notice=NOTICE,
            days=[HolidayRow(D(2026, 12, 31), HOLIDAY, "元旦")],
            by=admin_user,
        )
    assert not HolidayYear.objects.exists()


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _csv(text: str, encoding="utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile("2027.csv", text.encode(encoding), content_type="text/csv")


@pytest.mark.django_db
def test_an_admin_imports_a_year_from_a_csv_file(admin_client, admin_user):
    response = admin_client.post(
        reverse("registry:holiday_import"),
        {"year": 2027, "notice": NOTICE, "file": _csv(GOOD_CSV)},
    )
    assert response.status_code == 302
    entry = HolidayYear.objects.get(year=2027)
    assert (entry.notice, entry.entered_by) == (NOTICE, admin_user)
    assert entry.days.count() == 6
    page = admin_client.get(reverse("registry:holidays")).content.decode()
    assert NOTICE in page and "2027-02-10" in page and "春节" in page


@pytest.mark.django_db
def test_a_csv_file_with_a_bad_line_writes_nothing_and_names_the_line(admin_client, admin_user):
    holiday_year_save(
        year=2027, notice=NOTICE, days=[HolidayRow(D(2027, 1, 1), HOLIDAY, "元旦")], by=admin_user
    )
    bad = GOOD_CSV + "2027-02-30,休,春节\n"  # line 9: 30 February
    response = admin_client.post(
        reverse("registry:holiday_import"),
        {"year": 2027, "notice": "国办发明电〔2026〕9号", "file": _csv(bad, "gbk")},
    )
    assert response.status_code == 400
    assert "第9行：“2027-02-30”不是日期" in response.content.decode()
    entry = HolidayYear.objects.get(year=2027)
    assert entry.notice == NOTICE  # unchanged: all or nothing
    assert list(entry.days.values_list("date", flat=True)) == [D(2027, 1, 1)]


@pytest.mark.django_db
def test_an_admin_enters_edits_and_deletes_a_year(admin_client):
    response = admin_client.post(
        reverse("registry:holiday_new"),
        {"year": 2027, "notice": NOTICE, "days": "2027-01-01,休,元旦\n2027-02-07,班,春节\n"},
    )
    assert response.status_code == 302
    edit_url = reverse("registry:holiday_year", args=[2027])
    form = admin_client.get(edit_url).content.decode()
    assert "2027-01-01,休,元旦" in form and "2027-02-07,班,春节" in form

    response = admin_client.post(
        edit_url, {"notice": NOTICE, "days": "2027-01-01,休,元旦\n2027-10-01,休,国庆节\n"}
    )
    assert response.status_code == 302
    days = HolidayDay.objects.filter(holiday_year__year=2027)
    assert list(days.values_list("date", "kind")) == [
        (D(2027, 1, 1), HOLIDAY),
        (D(2027, 10, 1), HOLIDAY),
    ]

    response = admin_client.post(edit_url, {"notice": NOTICE, "days": "2027-01-01,休\nx,休\n"})
    assert response.status_code == 400
    assert "第2行" in response.content.decode()
    assert days.count() == 2

    # Entering 2027 again as new is refused: it would overwrite.
    response = admin_client.post(
        reverse("registry:holiday_new"), {"year": 2027, "notice": NOTICE, "days": "2027-01-01,休"}
    )
    assert response.status_code == 400
    assert "2027年已录入" in response.content.decode()

    response = admin_client.post(reverse("registry:holiday_year_delete", args=[2027]))
    assert response.status_code == 302
    assert not HolidayYear.objects.exists() and not HolidayDay.objects.exists()


@pytest.mark.django_db
def test_only_admins_open_the_holiday_pages(client, staff_user, admin_user):
    url = reverse("registry:holidays")
    client.force_login(staff_user)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert 'data-testid="nav-holidays"' in page


def test_the_edit_text_reads_back_as_the_same_days():
    days = [
        HolidayDay(date=D(2027, 2, 7), kind=WORKDAY, name="春节"),
        HolidayDay(date=D(2027, 2, 10), kind=HOLIDAY, name="春节"),
    ]
    rows = holiday_rows_parse(holiday_rows_text(days), year=2027)
    assert [(r.date, r.kind, r.name) for r in rows] == [(d.date, d.kind, d.name) for d in days]
