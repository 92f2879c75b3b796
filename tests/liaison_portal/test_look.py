"""What every page wears: the favicon, the language switch, the product's one name."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from core.product import PRODUCT_NAME, product_name

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def test_the_favicon_is_served_at_the_root_without_a_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_every_page_links_its_icon_and_the_icon_is_served(client, worker_a):
    login_page = client.get(reverse("login")).content.decode()
    client.force_login(worker_a)
    html = client.get(reverse("home")).content.decode()
    [href] = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert href.endswith("favicon.svg") and href in login_page
    client.logout()
    icon = client.get(href)
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"


def test_the_icons_exist_as_static_files():
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg") and finders.find("apple-touch-icon.png")
    assert (ROOT / "public" / "favicon.ico").is_file()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switch_names_each_language_in_its_own_words(client, worker_a, language):
    client.force_login(worker_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("home")).content.decode()
    switch = html[html.index('data-testid="lang-switch"') :]
    switch = switch[: switch.index("</form>")]
    assert 'lang="zh-hans"' in switch and ">中文<" in switch
    assert 'lang="en"' in switch and ">English<" in switch
    assert "英语" not in switch and "Chinese" not in switch and "简体" not in switch
    # The current language is marked, the other one is the button.
    other = "en" if language == "zh-hans" else "zh-hans"
    assert f'<button type="submit" name="language" value="{other}"' in switch
    assert f'value="{language}"' not in switch


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_product_has_one_name_in_each_language(client, admin_user, language):
    name = PRODUCT_NAME[language]
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("home")).content.decode()
    assert f"· {name}</title>" in html
    assert f'class="brand" href="/">{name}</a>' in html
    with translation.override(language):
        assert product_name() == name
        assert str(admin.site.site_title) == name
        assert str(admin.site.site_header).startswith(name)
    assert PRODUCT_NAME["zh-hans"] == settings.OTP_TOTP_ISSUER


def test_no_other_name_for_the_product_is_left_in_the_code():
    """The names it had before: 企业联络员管理平台, 园区企业联络员门户, "Park enterprise
    services" as a page title's suffix."""
    old = re.compile(r"企业联络员管理平台|园区企业联络员门户|联络员门户显示")
    places = [ROOT / "README.md", ROOT / "templates", ROOT / "liaison_portal"]
    places += [ROOT / app for app in ("core", "accounts", "registry", "outreach", "monitoring")]
    found = []
    for place in places:
        files = [place] if place.is_file() else place.rglob("*")
        for path in files:
            readable = path.suffix in {".py", ".html", ".txt", ".md", ".po"}
            if readable and old.search(path.read_text(encoding="utf-8")):
                found.append(str(path.relative_to(ROOT)))
    assert not found
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "Park enterprise services" not in base and '"Liaison portal"' not in base


def test_the_product_name_falls_back_to_chinese():
    assert product_name("fr") == PRODUCT_NAME["zh-hans"]
    assert product_name("en-us") == PRODUCT_NAME["en"]


CJK = re.compile(r"[\u4e00-\u9fff]")
OUR_APPS = {"accounts", "registry", "outreach", "monitoring", "liaison_portal"}


def test_every_section_of_the_django_admin_is_in_chinese(client, admin_user):
    """Every app and model on the admin's index, and every field of our own models there."""
    untranslated = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            meta = model._meta
            app = meta.app_config.verbose_name
            for label in (app, meta.verbose_name, meta.verbose_name_plural):
                if not CJK.search(str(label)):
                    untranslated.append(f"{meta.label}: {label}")
            if meta.app_label in OUR_APPS:
                for field in meta.get_fields():
                    label = getattr(field, "verbose_name", None)
                    if label is not None and not field.auto_created and not CJK.search(str(label)):
                        untranslated.append(f"{meta.label}.{field.name}: {label}")
    assert not untranslated, "\n".join(untranslated)
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    index = client.get(reverse("admin:index")).content.decode()
    assert "Axes" not in index and "Otp_Totp" not in index and "登录锁定" in index
