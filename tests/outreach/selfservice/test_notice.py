"""The data-use notice the liaison accepts is written from what the portal does: the years
come from LIAISON_RETENTION_YEARS (what the nightly run erases after), the readers from the
roles' permissions (admins, service staff, the grid's worker; auditors only masked)."""

import pytest
from django.urls import reverse
from django.utils import translation

from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.notice import data_use_notice
from tests.outreach.selfservice.test_pages import _unlock

pytestmark = pytest.mark.django_db


def _text() -> str:
    return "\n".join(data_use_notice().paragraphs)


def test_the_notice_names_everyone_who_sees_the_data_and_how_long_it_is_kept(settings):
    settings.LIAISON_RETENTION_YEARS = 3
    text = _text()
    for reader in ("园区管理员", "园区企业服务专员", "贵企业所在网格的网格员"):
        assert reader in text
    assert "审计人员只能看到遮蔽后的信息" in text
    assert "卸任后 3 年" in text and "删除" in text


def test_changing_the_retention_setting_changes_the_notice_and_its_version(settings):
    settings.LIAISON_RETENTION_YEARS = 3
    three = data_use_notice()
    settings.LIAISON_RETENTION_YEARS = 5
    five = data_use_notice()
    assert "卸任后 5 年" in "".join(five.paragraphs)
    assert "3 年" not in "".join(five.paragraphs)
    assert five.version != three.version


def test_the_notice_has_its_english(settings):
    settings.LIAISON_RETENTION_YEARS = 1
    with translation.override("en"):
        text = _text()
    assert "for 1 year after you leave" in text and "auditors" in text


def test_the_liaison_reads_it_on_the_form_and_accepts_todays_version(client, sent_link, settings):
    _unlock(client, sent_link)
    page = client.get(reverse("selfservice:form")).content.decode()
    assert "园区管理员" in page and "卸任后 3 年" in page
    version = data_use_notice().version
    assert f'value="{version}"' in page
    # The setting changed while the form was open: the old acceptance does not count.
    settings.LIAISON_RETENTION_YEARS = 4
    response = client.post(
        reverse("selfservice:form"), {"action": "confirm", "confirm-accept_notice": version}
    )
    assert response.status_code == 400
    assert SelfServiceLink.objects.get(pk=sent_link.pk).used_at is None
