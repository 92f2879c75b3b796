"""The search forgives (issue 21): pinyin and its initials, typos, full-width input and a mix,
the same on the list page and in the API (one rule: registry.selectors.enterprise_search)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from pghistory.models import Events

from registry import services
from registry.demo import README_EXAMPLE, seed_demo
from registry.models import Door, Enterprise
from registry.pinyin import name_pinyin, search_key
from registry.selectors import enterprise_search
from tests.factories import EnterpriseFactory
from tests.registry.api.conftest import token_client

pytestmark = pytest.mark.django_db

HUAXIN = "上海华信电子科技有限公司"


@pytest.fixture
def park(grid_a):
    EnterpriseFactory(grid=grid_a, name=HUAXIN)
    EnterpriseFactory(grid=grid_a, name="杭州远大贸易有限公司")
    EnterpriseFactory(grid=grid_a, name="北京鸿运物流有限公司")


def _page_names(client, q) -> set[str]:
    response = client.get(reverse("registry:enterprises"), {"q": q})
    assert response.status_code == 200
    return {e.name for e in response.context["page"].object_list}


def _api_names(user, q) -> set[str]:
    response = token_client(user).get("/api/enterprises/", {"q": q})
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def test_the_pinyin_column_holds_full_pinyin_then_initials():
    assert name_pinyin("华信电子") == "huaxindianzi hxdz"
    assert name_pinyin("ABC科技") == "abckeji abckj"
    assert name_pinyin("重庆银行") == "chongqingyinhang cqyh"  # words, not single characters
    assert search_key("ｈｕａ信") == "huaxin"


@pytest.mark.parametrize(
    "q",
    [
        "华信",  # as written
        "huaxin",  # full pinyin
        "hx",  # initials
        "HX",
        "ｈｕａｘｉｎ",  # full-width
        "华ｘｉｎ",  # mixed: a character and full-width pinyin
        "hua信",  # mixed
        "华心",  # a homophone picked by the input method
        "shanghaihuaxn",  # a typo in the pinyin
        "上海华信电了科技",  # a wrong character in a long name
        "shhxdz",  # initials of several words
    ],
)
def test_the_list_page_and_the_api_forgive_the_same_way(client, staff_user, park, q):
    client.force_login(staff_user)
    assert HUAXIN in _page_names(client, q)
    assert HUAXIN in _api_names(staff_user, q)


def test_a_forgiving_search_still_narrows(client, staff_user, park):
    client.force_login(staff_user)
    assert _page_names(client, "huaxin") == {HUAXIN}
    assert _page_names(client, "hymy") == set()
    assert _page_names(client, "hongyun") == {"北京鸿运物流有限公司"}


def test_a_rename_and_a_new_enterprise_keep_the_pinyin(staff_user, grid_a):
    enterprise = services.enterprise_create(
        by=staff_user,
        door=Door.STAFF,
        uscc="91310000MA1K4XY83J",
        name="远大科技有限公司",
        registered_address="上海市浦东新区张江路1号",
        grid=grid_a,
    )
    assert enterprise.name_pinyin == "yuandakejiyouxiangongsi ydkjyxgs"
    services.enterprise_update(enterprise=enterprise, by=staff_user, name="华信科技有限公司")
    enterprise.refresh_from_db()
    assert enterprise.name_pinyin == "huaxinkejiyouxiangongsi hxkjyxgs"


def test_the_readme_example_search_finds_something_in_the_demo_park(client, staff_user):
    seed_demo(enterprises=20)
    client.force_login(staff_user)
    for q in ("华信", "huaxin", "hx"):
        assert README_EXAMPLE in _page_names(client, q)
    assert not Enterprise.objects.filter(name_pinyin="").exists()  # every writer fills it


def test_names_written_without_their_pinyin_are_found_after_the_backfill(grid_a):
    written_by_sql = EnterpriseFactory(grid=grid_a, name=HUAXIN, name_pinyin="")
    events = Events.objects.count()
    assert not Enterprise.objects.filter(enterprise_search("hx")).exists()
    call_command("pinyin_backfill")
    assert list(Enterprise.objects.filter(enterprise_search("hx"))) == [written_by_sql]
    assert Events.objects.count() == events  # a derived column: no history
